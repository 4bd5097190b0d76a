"""The Python side of pygrade.

pygrade (a Rust program) runs learner code in subprocesses. The modules here run inside those
subprocesses and report back through a results file whose path pygrade chooses, one JSON object
per line, never through stdout (which the learner's prints would corrupt).

- `pytest_plugin`: a pytest plugin that reports every collected test as it finishes.
- `protocol`: the versioned line format both sides speak.
"""

PROTOCOL_VERSION = 1
