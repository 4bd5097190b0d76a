"""A warm worker's child: `python -B -m MODULE ARGS...` without starting Python afresh.

pygrade keeps warm workers for the checks that run pytest: each is a Python interpreter that
has imported pytest and pygrade's plugin once, and has run no learner code. For each check a
worker forks; the fork enters the check's sandbox and limits, exactly as a fresh process
would, and then calls `main` here, which makes the interpreter what `python -B -m pytest ...`
would be at that point: the check's environment, folder, arguments and `sys.path`, a fresh
random seed, and the module run as `__main__`. What the learner's code then does to this
process (its imports, monkeypatches, module state) dies with the fork: the worker it came
from never sees it.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import tempfile
import traceback
from typing import Any, NoReturn


def prepare(request: dict[str, Any]) -> str:
    """Makes this process what `python -B -m MODULE ARGS` would be; returns the module."""
    os.environ.clear()
    os.environ.update(request["env"])
    # Both are worked out once and kept; the check's own environment decides them here.
    tempfile.tempdir = None
    if "random" in sys.modules:
        sys.modules["random"].seed()
    sys.dont_write_bytecode = True
    # `python -m` puts the working folder first on the path, and the module's own arguments
    # after a first one that runpy replaces with the module's file.
    sys.path.insert(0, os.getcwd())
    sys.argv = ["-m", *request["args"]]
    module: str = request["module"]
    return module


def main(request_hex: str) -> NoReturn:
    """Runs the request (JSON, in hex) as `python -B -m` would, and exits as it would."""
    module = prepare(json.loads(bytes.fromhex(request_hex)))
    try:
        runpy._run_module_as_main(module)  # type: ignore[attr-defined]
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        sys.exit(1)
    sys.exit(0)
