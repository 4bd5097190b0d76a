"""The timing and memory harness: measures the learner's function against the reference's.

pygrade runs `python -m pygrade_graders.measure SPEC RESULTS`. SPEC is a JSON file pygrade
wrote; RESULTS is the channel (see `protocol`). The harness only measures and reports raw
samples; pygrade does the statistics and the grading.

Timing measures CPU time (`time.process_time`) inside this process, so neither Python's start-up
nor another process competing for the cores counts. Learner and reference are measured in
alternating rounds, each round visiting every size, so a drift of the machine's load falls on
both sides and on every size alike. Each round runs enough calls to last a few milliseconds.
Before anything is timed, the results of both on the very input being timed are compared, so a
fast wrong answer cannot pass. A learner call past its CPU allowance is stopped: its time is then
only a lower bound, and larger sizes are not tried.

Memory records the peak of memory allocated during one call (tracemalloc), for each side, with a
fresh input per call (an input may be a generator, consumed by the call). tracemalloc makes a
call several times slower, and the reference's peak is the same for every learner: pygrade
measures it once, in a run of its own that imports no learner file (mode `reference-memory`),
keeps it, and passes it in (`reference_peak`). The reference is then called untraced, for its
answer alone.

Learner code runs in this process, so before it is imported the harness hides what it runs on:
this package's modules and the reference's leave `sys.modules`, and so does this module as
`__main__` (an import of one gives learner code a fresh copy, and what it changes there
reaches nothing the harness uses). Measuring memory, an audit hook (`audit.FrameGuard`) also
sees learner code reach for the harness's frames, which hold the results channel and the
reference, and reports it at once (`tampered`): pygrade rejects the check. Timing, it does
not: a hook written in Python runs for every audit event, `id()` among them, which it makes
about twenty times slower, and so it would bend the times it is there to take.

Events (protocol 1), after `hello`:
    wrong     {"size", "message"}           results differ: the check fails, nothing is timed
    sample    {"size", "round", "learner", "reference"}   seconds per call in one round
    slow      {"size", "learner", "reference", "capped"}  one call each, when the learner is
                                                           too slow to measure in rounds;
                                                           `capped`: the call was stopped, its
                                                           time is a lower bound
    memory    {"size", "learner_peak", "reference_peak"}  bytes
    reference-peak {"size", "peak"}          bytes, in mode `reference-memory`
    tampered  {"inspected": [finding, ...]}      learner code reached for the frames
    done      {}
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import math
import os
import signal
import sys
import threading
import time
import tracemalloc
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygrade_graders
from pygrade_graders.audit import FrameGuard, Trust
from pygrade_graders.compare import difference
from pygrade_graders.protocol import Channel

# The modules the harness runs on, hidden from learner code (see the module's docstring).
OWN_MODULES = (
    "pygrade_graders.measure",
    "pygrade_graders.compare",
    "pygrade_graders.protocol",
    "pygrade_graders.audit",
    "pygrade_reference",
)

# CPU time one round of one side should take, so the timer's resolution does not matter.
ROUND_SECONDS = 0.004
# Rounds run before any that count, to warm caches and the interpreter's specialisation.
WARM_UP_ROUNDS = 2
# In ratio mode, a learner call this many times slower than the reference's is not measured in
# rounds: one call each is decisive, and rounds would only spend the check's time.
DECISIVE_SLOWDOWN = 25.0
# CPU time for all rounds, every size and both sides together, before stopping early (never
# before MIN_ROUNDS).
ROUNDS_BUDGET_SECONDS = 3.0
MIN_ROUNDS = 5


@dataclass(frozen=True)
class Spec:
    mode: str  # "timing", "memory" or "reference-memory"
    function: str  # "module.callable" in the learner's files
    reference: str  # path of the reference's module file
    inputs: str  # "module.function" building the arguments for a size and a seed
    sizes: list[int]
    rounds: int
    # A learner call is stopped once it has taken this many times the reference's CPU time
    # (ratio mode: far past the budget, so the verdict is already clear) ...
    give_up_ratio: float | None = None
    # ... or this many CPU seconds (growth mode), and larger sizes are not tried.
    give_up_seconds: float | None = None
    # Memory mode: the reference's peak, measured before by a trusted run; without it the
    # reference's call is measured here too.
    reference_peak: int | None = None

    @classmethod
    def load(cls, path: str) -> Spec:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(**data)


class TooSlow(BaseException):
    """Raised into a learner call that has used up its CPU allowance. A BaseException, so that
    an `except Exception` in learner code does not swallow it."""


# How often the watchdog of a capped call looks at the CPU clock.
WATCH_SECONDS = 0.005


def capped_call(fn: Callable[..., Any], args: tuple[Any, ...], allowance: float) -> tuple[Any, float, bool]:
    """Calls `fn(*args)`, stopping it once it has used about `allowance` seconds of this
    process's CPU time. Returns the result (None when stopped), the CPU seconds used, and
    whether it was stopped.

    The allowance is CPU time, not wall time, so a busy machine never stops a call early: a
    watchdog thread reads the process's CPU clock and, once the allowance is spent, signals the
    main thread, whose handler raises `TooSlow` into the call. (A CPU-time interval timer would
    be simpler, but arming one makes the process CPU clock coarse on some kernels, which would
    ruin the measurements themselves.)"""
    main_thread = threading.main_thread().ident
    started = time.process_time()
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(WATCH_SECONDS):
            if time.process_time() - started >= allowance and main_thread is not None:
                signal.pthread_kill(main_thread, signal.SIGALRM)
                return

    # Whether the call is still running: a signal that arrives once it has returned, while
    # the watchdog is being stopped, must not raise outside the `try` that expects it.
    calling = True

    def stop(signum: int, frame: object) -> None:
        if calling:
            raise TooSlow

    previous = signal.signal(signal.SIGALRM, stop)
    watchdog = threading.Thread(target=watch, name="pygrade-cpu-watchdog", daemon=True)
    watchdog.start()
    try:
        try:
            result = fn(*args)
        finally:
            calling = False
        return result, time.process_time() - started, False
    except TooSlow:
        return None, time.process_time() - started, True
    finally:
        finished.set()
        watchdog.join()
        signal.signal(signal.SIGALRM, previous)


def resolve(dotted: str) -> Callable[..., Any]:
    module, _, name = dotted.rpartition(".")
    found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return found


def load_reference(path: str, function: str) -> Callable[..., Any]:
    """The reference's function, from its own file, under a module name no learner file has."""
    spec = importlib.util.spec_from_file_location("pygrade_reference", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load the reference {path}")
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs, as an import would: dataclasses look their module up there.
    sys.modules["pygrade_reference"] = module
    spec.loader.exec_module(module)
    found: Callable[..., Any] = getattr(module, function.rpartition(".")[2])
    return found


def cpu_seconds(fn: Callable[..., Any], args: tuple[Any, ...], calls: int) -> float:
    """CPU seconds per call over `calls` calls."""
    started = time.process_time()
    for _ in range(calls):
        fn(*args)
    return (time.process_time() - started) / calls


def calls_per_round(seconds_per_call: float) -> int:
    return max(1, math.ceil(ROUND_SECONDS / max(seconds_per_call, 1e-9)))


def wrong_answer(size: int, got: object, expected: object) -> str | None:
    """Why the learner's result `got` is not the reference's `expected`, or None when it is the
    same. Types count, at every level; classes match by name, as the learner's come from other
    modules than the reference's."""
    found = difference(got, expected, classes_by_name=True)
    return None if found is None else f"for an input of size {size}: {found}"


def measure_time(spec: Spec, channel: Channel, learner: Callable[..., Any], reference: Callable[..., Any], make: Callable[..., Any]) -> None:
    """First one call of each side per size, in increasing size: the answers are compared, and
    a learner call past its allowance is stopped (larger sizes are then not tried). Then the
    sizes that completed are timed in rounds, every round visiting every size, so a change in
    the machine's load falls on all sizes alike instead of bending the growth curve."""
    timed: list[tuple[int, tuple[Any, ...], int, int]] = []  # size, args, calls per round
    for size in spec.sizes:
        args = tuple(make(size, 0))
        started = time.process_time()
        expected = reference(*args)
        reference_once = time.process_time() - started
        allowance = spec.give_up_seconds or 1e6
        if spec.give_up_ratio is not None:
            allowance = max(0.05, spec.give_up_ratio * reference_once)
        got, learner_once, capped = capped_call(learner, args, allowance)
        if capped:
            channel.send("slow", size=size, learner=learner_once, reference=reference_once, capped=True)
            break
        wrong = wrong_answer(size, got, expected)
        if wrong is not None:
            channel.send("wrong", size=size, message=wrong)
            return
        decisive = spec.give_up_ratio is not None and learner_once > 0.05
        if decisive and learner_once > DECISIVE_SLOWDOWN * max(reference_once, 1e-6):
            channel.send("slow", size=size, learner=learner_once, reference=reference_once, capped=False)
            continue
        timed.append((size, args, calls_per_round(learner_once), calls_per_round(reference_once)))
    if timed:
        time_in_rounds(spec, channel, learner, reference, timed)


def time_in_rounds(spec: Spec, channel: Channel, learner: Callable[..., Any], reference: Callable[..., Any], timed: list[tuple[int, tuple[Any, ...], int, int]]) -> None:
    """Rounds over every size in `timed`, learner and reference alternating within each, with
    the garbage collector off as `timeit` has it (a collection falls on whichever call happens
    to trigger it)."""
    spent = 0.0
    collecting = gc.isenabled()
    gc.disable()
    try:
        for round_no in range(-WARM_UP_ROUNDS, spec.rounds):
            # Alternate the order of the sizes and of the sides, so neither always runs first.
            order = timed if round_no % 2 == 0 else list(reversed(timed))
            for size, args, learner_calls, reference_calls in order:
                if round_no % 2 == 0:
                    mine = cpu_seconds(learner, args, learner_calls)
                    theirs = cpu_seconds(reference, args, reference_calls)
                else:
                    theirs = cpu_seconds(reference, args, reference_calls)
                    mine = cpu_seconds(learner, args, learner_calls)
                if round_no >= 0:
                    channel.send("sample", size=size, round=round_no, learner=mine, reference=theirs)
                    spent += mine * learner_calls + theirs * reference_calls
            if round_no + 1 >= MIN_ROUNDS and spent > ROUNDS_BUDGET_SECONDS:
                break
    finally:
        if collecting:
            gc.enable()


def peak_bytes(fn: Callable[..., Any], make: Callable[..., Any], size: int) -> tuple[int, object]:
    args = tuple(make(size, 0))
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = fn(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def measure_memory(spec: Spec, channel: Channel, learner: Callable[..., Any], reference: Callable[..., Any], make: Callable[..., Any]) -> None:
    """The learner's peak for each size against the reference's, which is measured here only
    when the spec does not give it. Either way the reference is called first, so that what a
    first call sets up once (a module's caches, say) never falls on the learner's call."""
    for size in spec.sizes:
        if spec.reference_peak is None:
            reference_peak, expected = peak_bytes(reference, make, size)
        else:
            reference_peak, expected = spec.reference_peak, reference(*make(size, 0))
        learner_peak, got = peak_bytes(learner, make, size)
        wrong = wrong_answer(size, got, expected)
        if wrong is not None:
            channel.send("wrong", size=size, message=wrong)
            return
        channel.send("memory", size=size, learner_peak=learner_peak, reference_peak=reference_peak)


def measure_reference_memory(spec: Spec, channel: Channel, reference: Callable[..., Any], make: Callable[..., Any]) -> None:
    """The reference's peak for each size, as `measure_memory` measures it: its first call in
    the process, on a fresh input. pygrade runs this mode without the learner's files, and
    keeps what it reports for every learner."""
    for size in spec.sizes:
        peak, _ = peak_bytes(reference, make, size)
        channel.send("reference-peak", size=size, peak=peak)


def guard_against_learner_code(channel: Channel, frames: bool) -> None:
    """Hides what the harness runs on from learner code, which runs next, and, with `frames`,
    starts watching it for reaching for the harness's frames (see the module's docstring)."""
    pygrade_graders.hide(*OWN_MODULES)
    if __name__ == "__main__":
        # Run as `python -m`, this module is `__main__`: learner code finds an empty one.
        sys.modules["__main__"] = types.ModuleType("__main__")
    if not frames:
        return
    send = channel.send
    guard = FrameGuard(Trust(), str, lambda finding: send("tampered", inspected=[finding]))
    guard.install()


def main(argv: list[str]) -> int:
    """`measure SPEC FD TOKEN_FD`: measure as SPEC says, reporting on the channel at descriptor
    FD, each event carrying the token read from descriptor TOKEN_FD."""
    spec_path, channel_fd, token_fd = argv
    spec = Spec.load(spec_path)
    # The channel is taken over, and the reference loaded and its file removed, before any
    # learner code is imported: that code can neither reopen the one nor read the other.
    channel = Channel.inherited(int(channel_fd), int(token_fd))
    channel.hello(python=".".join(map(str, sys.version_info[:3])))
    reference = load_reference(spec.reference, spec.function)
    os.remove(spec.reference)
    if spec.mode == "reference-memory":
        measure_reference_memory(spec, channel, reference, resolve(spec.inputs))
    else:
        guard_against_learner_code(channel, frames=spec.mode == "memory")
        learner = resolve(spec.function)
        make = resolve(spec.inputs)
        if spec.mode == "memory":
            measure_memory(spec, channel, learner, reference, make)
        else:
            measure_time(spec, channel, learner, reference, make)
    channel.send("done")
    channel.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
