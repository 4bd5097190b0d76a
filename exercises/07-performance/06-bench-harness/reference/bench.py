"""The team's micro-benchmark helper: `timeit`'s method, with a report worth reading.

A statement is timed in *rounds*: one clock reading, `number` calls, another reading. The
clock is injected, so that the helper itself can be tested with a fake one.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]
Statement = Callable[[], object]

# The units of `format_time`, largest first: each unit's name and its size in seconds.
UNITS = (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9))


def time_loops(stmt: Statement, number: int, clock: Clock = time.perf_counter) -> float:
    """Seconds that ``number`` calls of ``stmt`` take together, read from ``clock``.

    The clock is read once before the calls and once after. The garbage collector is off
    meanwhile, so that a collection that other code caused is not billed to ``stmt``; it is
    back in the state it was in afterwards, even if ``stmt`` raised.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        start = clock()
        for _ in range(number):
            stmt()
        return clock() - start
    finally:
        if collecting:
            gc.enable()


def autorange(
    stmt: Statement, *, threshold: float = 0.2, clock: Clock = time.perf_counter
) -> tuple[int, float]:
    """The first ``number`` in 1, 2, 5, 10, 20, 50, ... whose round takes at least
    ``threshold`` seconds, and how long that round took."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            number = step * scale
            elapsed = time_loops(stmt, number, clock)
            if elapsed >= threshold:
                return number, elapsed
        scale *= 10


def format_time(seconds: float) -> str:
    """``seconds`` in the largest unit (s, ms, us, ns) in which it is at least 1, with three
    significant digits: ``"1.23 us"``, ``"45.6 ms"``, ``"789 ns"``, ``"1500 s"``."""
    for unit, size in UNITS:
        value = seconds / size
        if value >= 1 or unit == "ns":
            break
    decimals = 2 if value < 10 else 1 if value < 100 else 0
    return f"{value:.{decimals}f} {unit}"


@dataclass(frozen=True)
class Measurement:
    """The seconds per loop of each round of one statement."""

    name: str
    number: int
    per_loop: tuple[float, ...]

    @property
    def best(self) -> float:
        """The fastest round: the one least disturbed by everything else the machine did."""
        return min(self.per_loop)

    @property
    def median(self) -> float:
        return statistics.median(self.per_loop)

    @property
    def stdev(self) -> float:
        """The sample standard deviation of the rounds, 0.0 for a single round."""
        if len(self.per_loop) < 2:
            return 0.0
        return statistics.stdev(self.per_loop)

    def __str__(self) -> str:
        loops = "loop" if self.number == 1 else "loops"
        return (
            f"{self.name}: {self.number} {loops}, best of {len(self.per_loop)}: "
            f"{format_time(self.best)} per loop "
            f"(median {format_time(self.median)}, stdev {format_time(self.stdev)})"
        )


def bench(
    stmt: Statement,
    *,
    name: str = "stmt",
    number: int | None = None,
    repeat: int = 5,
    warmup: int = 1,
    threshold: float = 0.2,
    clock: Clock = time.perf_counter,
) -> Measurement:
    """Time ``stmt``: ``warmup`` rounds that are thrown away, then ``repeat`` rounds.

    Each round is ``number`` calls; without a ``number``, ``autorange`` picks one for
    ``threshold`` first (its rounds are not reported either).
    """
    if number is not None and number < 1:
        raise ValueError(f"number must be at least 1, got {number}")
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    if warmup < 0:
        raise ValueError(f"warmup must not be negative, got {warmup}")
    if threshold <= 0:
        raise ValueError(f"threshold must be positive, got {threshold}")
    if number is None:
        number, _ = autorange(stmt, threshold=threshold, clock=clock)
    for _ in range(warmup):
        time_loops(stmt, number, clock)
    rounds = tuple(time_loops(stmt, number, clock) / number for _ in range(repeat))
    return Measurement(name, number, rounds)


@dataclass(frozen=True)
class Comparison:
    """Two measurements, the faster first."""

    faster: Measurement
    slower: Measurement

    @property
    def ratio(self) -> float:
        """How many times longer the slower one's best loop takes (``inf`` if the faster one
        took no measurable time, 1.0 if neither did)."""
        if self.faster.best == 0:
            return 1.0 if self.slower.best == 0 else math.inf
        return self.slower.best / self.faster.best

    def __str__(self) -> str:
        return f"{self.faster.name} is {self.ratio:.2f}x faster than {self.slower.name}"


def compare(first: Measurement, second: Measurement) -> Comparison:
    """Compare by best loop; on a tie, ``first`` counts as the faster."""
    if first.best <= second.best:
        return Comparison(first, second)
    return Comparison(second, first)
