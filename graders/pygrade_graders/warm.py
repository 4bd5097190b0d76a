"""A warm worker's child: `python [-B] -m MODULE ARGS...` or `python SCRIPT ARGS...`, without
starting Python afresh.

pygrade keeps warm workers for the checks that run Python: each is an interpreter that has
started (and, for pytest, imported pytest and pygrade's plugin) once, and has run no learner
code. For each check a worker forks; the fork enters the check's sandbox and limits, exactly
as a fresh process would, and then calls `main` here, which makes the interpreter what the
command line would have made it at that point: the check's environment, folder, arguments
and `sys.path`, a fresh random seed, and the module or script run as `__main__`. What the
learner's code then does to this process (its imports, monkeypatches, module state) dies
with the fork: the worker it came from never sees it.

This module imports nothing at its top that a fresh interpreter has not already imported, so
that a learner's program finds `sys.modules` as `python SCRIPT` would leave it.
"""

import os
import sys

# Names for the type checker only: importing `typing` or `types` here would show in the
# program's `sys.modules`.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType
    from typing import Any, NoReturn


def fresh_stdio() -> None:
    """Standard streams made anew over descriptors 0, 1 and 2, as Python's start makes them:
    the worker made its own over what these were then (another kind of file: a stream keeps
    whether its file can seek, and whether it is a terminal)."""
    import io

    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        old = getattr(sys, name)
        # As Python's start opens them: buffered, not closing the descriptor.
        buffered = io.open(fd, mode + "b", -1, None, None, None, False)
        buffered.raw.name = f"<{name}>"  # type: ignore[attr-defined]  # a buffered file
        stream = io.TextIOWrapper(
            buffered,
            encoding=old.encoding,
            errors=old.errors,
            newline="\n",
            line_buffering=buffered.raw.isatty() or fd == 2,  # type: ignore[attr-defined]
            write_through=False,
        )
        stream.mode = mode  # type: ignore[misc]
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def prepare(request: "dict[str, Any]") -> None:
    """Makes this process what the command line would: its streams, environment and
    arguments."""
    fresh_stdio()
    os.environ.clear()
    os.environ.update(request["env"])
    # Worked out once and kept by `tempfile`; the check's own environment decides it here.
    if "tempfile" in sys.modules:
        setattr(sys.modules["tempfile"], "tempdir", None)
    if "random" in sys.modules:
        sys.modules["random"].seed()


def run_module(module: str, args: list[str], bytecode: bool = False) -> None:
    """`python -B -m MODULE ARGS` (or, with `bytecode`, `python -m MODULE ARGS`): the working
    folder first on the path, and the arguments after a first one that runpy replaces with the
    module's file."""
    import runpy

    if not bytecode:
        sys.dont_write_bytecode = True
    sys.path.insert(0, os.getcwd())
    sys.argv = ["-m", *args]
    runpy._run_module_as_main(module)  # type: ignore[attr-defined]


def run_script(script: str, args: list[str]) -> None:
    """`python SCRIPT ARGS`: a new `__main__` holding what Python gives a script's module, the
    script's folder (its real one) first on the path, its absolute path as `__file__`."""
    path = os.path.abspath(script)
    sys.path.insert(0, os.path.dirname(os.path.realpath(path)))
    sys.argv = [script, *args]
    main = type(sys)("__main__")
    loader = sys.modules["_frozen_importlib_external"].SourceFileLoader("__main__", path)
    main.__dict__.update(
        {"__file__": path, "__cached__": None, "__loader__": loader, "__builtins__": __builtins__, "__annotations__": {}}
    )
    sys.modules["__main__"] = main
    with open(path, "rb") as source:
        code = compile(source.read(), path, "exec", dont_inherit=True)
    exec(code, main.__dict__)


def from_script(traceback: "TracebackType | None", path: str) -> "TracebackType | None":
    """The traceback from the script's own first frame on, as `python SCRIPT` prints it (the
    runner's frames before it are not the learner's)."""
    while traceback is not None and traceback.tb_frame.f_code.co_filename != path:
        traceback = traceback.tb_next
    return traceback


def exit_status(code: object) -> int:
    """What `python` exits with after `raise SystemExit(code)`; a code that is no number is
    printed to stderr first, as Python prints it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except Exception:  # noqa: BLE001 - as Python, which then exits 1 all the same
        pass
    return 1


def end_without_teardown(status: int) -> "NoReturn":
    """Exits as `python` exits once its module is done, with every step of its end that a
    program can see: it waits for the threads that are not daemons, runs the `atexit`
    functions and flushes the standard streams (exiting 120 if that fails). What it leaves out
    is the interpreter's teardown, which clears every module: in a fork of a worker that has
    imported pytest, that would write to nearly every page the fork shares with the worker,
    and copy them, costing a pytest check more CPU than its own start."""
    threading = sys.modules.get("threading")
    if threading is not None:
        threading._shutdown()  # what Python's own end calls
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except Exception:  # noqa: BLE001 - a stream that cannot be flushed, as Python's end
            status = 120
    os._exit(status)


# Kept by `before_first_fork`: `json.loads`, to read requests with, and `gc.unfreeze`.
LOADS: "Callable[[bytes], Any] | None" = None
UNFREEZE: "Callable[[], None] | None" = None


def before_first_fork() -> None:
    """The worker's last step before its first fork. It keeps `json`'s decoder, so that a fork
    reads its request without importing anything (imported in each fork, `json`, with `re`,
    `enum` and the rest it brings, cost a program about 10 ms of CPU), and freezes what the
    worker holds: the forks' garbage collections then skip it, and so neither spend time on
    it nor copy its pages by touching them (a learner's program has them thawed: see
    `run_as_python_would`). What this imports is let go from `sys.modules` again (the modules
    live on, held here), so that a program finds only what `python` would have imported
    before it, and importing one gets it afresh."""
    global LOADS, UNFREEZE
    before = set(sys.modules)
    import gc
    import json

    LOADS = json.loads
    gc.freeze()
    UNFREEZE = gc.unfreeze
    for name in set(sys.modules) - before:
        del sys.modules[name]


def decode(request_hex: str) -> "dict[str, Any]":
    """The request (JSON, in hex), read with the decoder the worker kept."""
    assert LOADS is not None, "a warm worker forks only after `before_first_fork`"
    request: "dict[str, Any]" = LOADS(bytes.fromhex(request_hex))
    return request


def main(request_hex: str) -> "NoReturn":
    """Runs the request (JSON, in hex) as the command line would, and exits as it would. A
    pytest session ends without the interpreter's teardown (see `end_without_teardown`); a
    learner's program, a script or a module, ends exactly as under `python`, teardown and all."""
    request = decode(request_hex)
    prepare(request)
    if request.get("module") != "pytest":
        run_as_python_would(request)
    try:
        run_module(request["module"], request["args"], request.get("bytecode", False))
    except SystemExit as stop:
        end_without_teardown(exit_status(stop.code))
    except BaseException as error:
        sys.excepthook(type(error), error, error.__traceback__)
        end_without_teardown(1)
    end_without_teardown(0)


def run_as_python_would(request: "dict[str, Any]") -> "NoReturn":
    """Runs the script or module, then exits through Python's own end, as `python` does. The
    program's garbage collections, and its end, are a fresh interpreter's: nothing is frozen.
    (A frozen object is never collected, and neither is what it holds: at the end, the
    program's standard output, written to by an object's `__del__`, went unflushed.)"""
    if UNFREEZE is not None:
        UNFREEZE()
    try:
        if "module" in request:
            run_module(request["module"], request["args"], request.get("bytecode", False))
        else:
            run_script(request["script"], request["args"])
    except SystemExit:
        raise
    except BaseException as error:
        traceback = error.__traceback__
        if "script" in request:
            traceback = from_script(traceback, os.path.abspath(request["script"]))
        sys.excepthook(type(error), error.with_traceback(traceback), traceback)
        sys.exit(1)
    sys.exit(0)
