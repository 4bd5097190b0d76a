"""The Python side of pygrade.

pygrade (a Rust program) runs learner code in subprocesses. The modules here run inside those
subprocesses and report back through a results file whose path pygrade chooses, one JSON object
per line, never through stdout (which the learner's prints would corrupt).

- `pytest_plugin`: a pytest plugin that reports every collected test as it finishes.
- `protocol`: the versioned line format both sides speak.
"""

PROTOCOL_VERSION = 1


def hide(*names: str) -> None:
    """Takes the modules `names` out of `sys.modules`, and those of this package out of its
    names, so that learner code that imports one gets a fresh copy of its own: what it changes
    there reaches nothing the code already running uses."""
    import sys

    package = sys.modules.get(__name__)
    for name in names:
        sys.modules.pop(name, None)
        if package is not None and name.startswith(f"{__name__}."):
            vars(package).pop(name.rpartition(".")[2], None)
