"""Evidence of peeking: learner code reaching for the frames of the tests that grade it.

The tests call learner code, so the test's frame, with its local variables (a parametrized
test's `expected`, for one), is a caller of the learner's function: `sys._getframe(1)` or
`inspect.stack()` hands it over, and a frame's `f_back` and `f_locals` are plain attributes.
Walking from one frame to the next cannot be seen, but getting hold of a first frame can:
CPython raises an audit event for every way Python code has to do it (`sys._getframe`,
`sys._current_frames`, the `tb_frame` of a traceback, the frame of a generator or coroutine,
`gc.get_objects` and its kin, a trace or profile function). `FrameGuard` is an audit hook
that, for each of these events, looks at who asked: the standard library, pytest, pluggy and
this package may (logging finds its caller's line that way), learner code may not. It also
notices code compiled under the name of a trusted file, which would otherwise pass for it.

What it does not see is in SECURITY.md: a signal handler is handed a frame without an event,
and ctypes reads memory directly.
"""

from __future__ import annotations

import _thread
import os
import sys
import sysconfig
from collections.abc import Callable
from types import FrameType

import pygrade_graders

# Events that hand a frame (or every object, frames included) to the code that raised them.
FRAME_EVENTS = frozenset(
    {
        "sys._getframe",
        "sys._current_frames",
        "sys._current_exceptions",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "sys.settrace",
        "sys.setprofile",
    }
)

# Attributes whose reading raises `object.__getattr__` and returns a frame.
FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})

# Events that make a code object under a file name of the caller's choosing.
CODE_EVENTS = frozenset({"compile", "code.__new__"})

# A function's attributes whose assignment raises `object.__setattr__`: what the tamper watch
# names when one of its functions has them replaced.
INSIDES = frozenset({"__code__", "__defaults__", "__kwdefaults__"})

# Findings kept at most: the first ones say enough.
MAX_FINDINGS = 10


# Where the standard library and the installed packages are: the same for every session of one
# interpreter, and `sysconfig` works them out anew each time it is asked (a millisecond or
# so), so asked once, on import (a warm worker's, before it forks).
INSTALLED = tuple(
    path for key, path in sysconfig.get_paths().items() if key in ("stdlib", "platstdlib", "purelib", "platlib")
)


class Trust:
    """Which code is trusted, by the file its code object names: the standard library, the
    installed packages (pytest, pluggy), this package, and the exercise's tests folder, if
    given."""

    def __init__(self, tests: str | None = None) -> None:
        roots = list(INSTALLED)
        roots.append(os.path.dirname(os.path.dirname(os.path.abspath(pygrade_graders.__file__))))
        if tests is not None:
            roots.append(tests)
        prefixes: set[str] = set()
        for root in roots:
            for form in (os.path.abspath(root), os.path.realpath(root)):
                prefixes.add(form.rstrip(os.sep) + os.sep)
        self.prefixes = tuple(sorted(prefixes))
        self._known: dict[str, bool] = {}

    def trusts(self, filename: str) -> bool:
        known = self._known.get(filename)
        if known is None:
            # Frozen modules (importlib's bootstrap, `<frozen os>`) are the interpreter's own.
            known = filename.startswith("<frozen ") or (
                os.path.isabs(filename)
                and (filename.startswith(self.prefixes) or os.path.realpath(filename).startswith(self.prefixes))
            )
            self._known[filename] = known
        return known


def _is_standard(frame: FrameType, module: str) -> bool:
    """Whether `frame` runs code of the standard library's module file `module` (as
    `inspect.py` or `logging/__init__.py`)."""
    return frame.f_code.co_filename.endswith(os.sep + module)


def requester(frame: FrameType | None) -> tuple[FrameType | None, str | None]:
    """The frame that asked for a frame, looking through the standard library's functions that
    only fetch frames for their caller: all of `inspect`, `traceback.walk_stack` and
    `walk_tb`, `logging.currentframe`; and through `traceback` altogether when it was asked to
    capture the frames' local variables. With it, the function it asked through, if any."""
    via = None
    while frame is not None:
        code = frame.f_code
        if (
            _is_standard(frame, "inspect.py")
            or (_is_standard(frame, "traceback.py") and code.co_name in ("walk_stack", "walk_tb"))
            or (_is_standard(frame, os.path.join("logging", "__init__.py")) and code.co_name == "<lambda>")
        ):
            via = f"{frame.f_globals.get('__name__', '?')}.{code.co_name}"
            frame = frame.f_back
            continue
        break
    if frame is None or not _is_standard(frame, "traceback.py"):
        return frame, via
    run: list[FrameType] = []
    probe: FrameType | None = frame
    while probe is not None and _is_standard(probe, "traceback.py"):
        run.append(probe)
        probe = probe.f_back
    if any(step.f_locals.get("capture_locals") for step in run):
        return probe, "traceback with capture_locals"
    return frame, via


class FrameGuard:
    """An audit hook that records learner code getting hold of a frame, or compiling code under
    a trusted file's name. Once added, a hook stays for the life of the interpreter: `arm` and
    `disarm` say when it records."""

    def __init__(self, trust: Trust, relative: Callable[[str], str], tell: Callable[[str], None]) -> None:
        self.trust = trust
        self.relative = relative
        # Called with each new finding at once, from the hook: code that has a frame could go
        # on to find this object and clear what it recorded.
        self.tell = tell
        self.findings: list[str] = []
        self.armed = False
        # How many times any function's code, defaults or keyword defaults were assigned
        # while armed (the tamper watch's look reads its functions' insides when it moved).
        self.insides_set = 0
        # Threads inside the hook right now: what the hook itself does raises events too.
        self._busy: set[int] = set()

    def install(self) -> None:
        sys.addaudithook(self.hook)
        self.armed = True

    def hook(self, event: str, args: tuple[object, ...]) -> None:
        if not self.armed:
            return
        if event == "object.__getattr__":
            if len(args) < 2 or args[1] not in FRAME_ATTRIBUTES:
                return
            what = f"{type(args[0]).__name__}.{args[1]}"
        elif event in FRAME_EVENTS:
            what = event
        elif event in CODE_EVENTS:
            filename = args[1] if len(args) > 1 else None
            if not isinstance(filename, str) or not self.trust.trusts(filename):
                return
            what = f"{event} under the name of {self.relative(filename)}"
        else:
            if event == "object.__setattr__" and len(args) > 1 and args[1] in INSIDES:
                self.insides_set += 1
            return
        me = _thread.get_ident()
        if me in self._busy:
            return
        self._busy.add(me)
        try:
            self.inspect(what)
        except Exception:  # noqa: BLE001 - a hook that cannot look counts against the asker
            self.record(f"{what} (from code that could not be inspected)")
        finally:
            self._busy.discard(me)

    def inspect(self, what: str) -> None:
        # 0 is this method, 1 the hook, 2 the code whose call raised the event (functions
        # written in C have no frame of their own).
        asker, via = requester(sys._getframe(2))
        if asker is None or self.trust.trusts(asker.f_code.co_filename):
            return
        through = f" through {via}" if via else ""
        self.record(f"{what}{through} from {self.relative(asker.f_code.co_filename)}:{asker.f_lineno}")

    def record(self, finding: str) -> None:
        if finding not in self.findings and len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)
            self.tell(finding)
