"""Tests for the benchmark helper.

Nothing here reads a real clock. `FakeClock` is a clock whose time moves only when the test
says so: each reading moves it on by `tick` (the cost of reading a timer), and each call of
a statement made with `clock.costing(...)` moves it on by that statement's cost. Costs are
powers of two, so every sum of them is exact in floating point and the expected numbers are
exact too.
"""

from __future__ import annotations

import gc
import math
import statistics
from collections.abc import Callable, Iterator, Sequence

import pytest
from pygrade_graders.compare import assert_same

from bench import Comparison, Measurement, autorange, bench, compare, format_time, time_loops

US = 2.0**-20  # about a microsecond, exactly representable
MS = 2.0**-10  # about a millisecond


class FakeClock:
    """A clock for tests: reading it costs `tick` seconds; statements cost what they say."""

    def __init__(self, tick: float = 0.0) -> None:
        self.now = 1024.0
        self.tick = tick
        self.reads = 0
        self.calls = 0

    def __call__(self) -> float:
        self.reads += 1
        reading = self.now
        self.now += self.tick
        return reading

    def costing(self, *costs: float) -> Callable[[], None]:
        """A statement whose n-th call costs `costs[n]`, and every call after the last
        costs the last."""
        schedule = list(costs)

        def stmt() -> None:
            self.now += schedule[min(self.calls, len(schedule) - 1)]
            self.calls += 1

        return stmt

    def rounds(self, number: int, *per_loop: float) -> Callable[[], None]:
        """A statement whose calls cost `per_loop[r]` each in round r of `number` calls."""
        return self.costing(*(cost for cost in per_loop for _ in range(number)))


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """Whatever a test (or the code under test) does to the collector, put it back."""
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


# --- one round ----------------------------------------------------------------------------


def test_a_round_calls_the_statement_number_times_between_two_readings() -> None:
    clock = FakeClock(tick=MS)

    elapsed = time_loops(clock.costing(3 * US), 7, clock)

    assert_same(clock.calls, 7)
    assert_same(clock.reads, 2, "read the clock once before the loop and once after it")
    assert_same(elapsed, 7 * 3 * US + MS, "the time between the readings, reading cost included")


def test_a_round_reads_the_default_clock() -> None:
    calls: list[int] = []
    elapsed = time_loops(lambda: calls.append(1), 3)
    assert_same(len(calls), 3)
    assert 0 <= elapsed < 60


# --- autorange ----------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_autorange_grows_number_1_2_5_10_until_a_round_takes_the_threshold() -> None:
    clock = FakeClock()

    number, elapsed = autorange(clock.costing(MS), threshold=0.25, clock=clock)

    # 200 loops take 0.195 s, 500 take 0.488 s.
    assert_same((number, elapsed), (500, 500 * MS))
    assert_same(clock.calls, 1 + 2 + 5 + 10 + 20 + 50 + 100 + 200 + 500, "one round per number tried")


def test_autorange_stops_at_a_round_exactly_as_long_as_the_threshold() -> None:
    clock = FakeClock()
    assert_same(autorange(clock.costing(MS), threshold=200 * MS, clock=clock), (200, 200 * MS))


def test_autorange_goes_on_through_the_decades() -> None:
    clock = FakeClock()

    number, _ = autorange(clock.costing(US), threshold=0.01, clock=clock)

    # 10000 loops of 1 us take 0.0095 s; 20000 take 0.019 s.
    assert_same(number, 20000)
    assert_same(clock.calls, 11111 * 3 + 5555, "1, 2, 5, 10, 20, 50, ... 10000, 20000")


def test_autorange_keeps_one_loop_that_is_slow_enough() -> None:
    clock = FakeClock()
    assert_same(autorange(clock.costing(0.5), threshold=0.2, clock=clock), (1, 0.5))
    assert_same(clock.calls, 1)


def test_autorange_counts_the_cost_of_reading_the_clock() -> None:
    clock = FakeClock(tick=0.125)
    assert_same(autorange(clock.costing(MS), threshold=0.25, clock=clock), (200, 200 * MS + 0.125))


def test_autorange_reads_the_default_clock() -> None:
    number, elapsed = autorange(lambda: None, threshold=1e-4)
    assert number >= 1 and 1e-4 <= elapsed < 60


def test_the_default_threshold_is_a_fifth_of_a_second() -> None:
    clock = FakeClock()
    # 200 loops take 0.195 s (< 0.2), 500 take 0.488 s.
    assert_same(autorange(clock.costing(MS), clock=clock), (500, 500 * MS))


# --- bench --------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_bench_warms_up_then_times_repeat_rounds() -> None:
    clock = FakeClock()
    stmt = clock.rounds(10, 8 * US, 2 * US, 1 * US, 4 * US)  # the first round is cold

    measured = bench(stmt, name="parse", number=10, repeat=3, warmup=1, clock=clock)

    assert_same(measured, Measurement("parse", 10, (2 * US, 1 * US, 4 * US)))
    assert_same(clock.calls, 40)


def test_bench_without_warmup_times_the_cold_round_too() -> None:
    clock = FakeClock()
    stmt = clock.rounds(10, 8 * US, 2 * US)

    measured = bench(stmt, number=10, repeat=2, warmup=0, clock=clock)

    assert_same(measured.per_loop, (8 * US, 2 * US))


@pytest.mark.weight(2)
def test_bench_picks_number_with_autorange_first() -> None:
    clock = FakeClock()

    measured = bench(clock.costing(MS), repeat=2, warmup=2, threshold=0.25, clock=clock)

    assert_same(measured.number, 500)
    assert_same(measured.per_loop, (MS, MS))
    autoranging = 1 + 2 + 5 + 10 + 20 + 50 + 100 + 200 + 500
    assert_same(clock.calls, autoranging + 2 * 500 + 2 * 500, "autorange, 2 warm-up rounds, 2 rounds")


def test_bench_defaults_five_rounds_one_warmup_and_the_name_stmt() -> None:
    clock = FakeClock()

    measured = bench(clock.costing(MS), clock=clock)

    assert_same(measured, Measurement("stmt", 500, (MS,) * 5))
    assert_same(clock.calls, 888 + 500 + 5 * 500)


def test_bench_reads_the_default_clock() -> None:
    measured = bench(lambda: None, number=100, repeat=2, warmup=0)
    assert_same(measured.number, 100)
    assert len(measured.per_loop) == 2 and all(0 <= t < 1 for t in measured.per_loop)


def test_a_round_reports_seconds_per_loop_including_the_clock_reading() -> None:
    clock = FakeClock(tick=4 * US)
    measured = bench(clock.costing(US), number=4, repeat=1, warmup=0, clock=clock)
    assert_same(measured.per_loop, (2 * US,), "(4 loops of 1 us + 4 us to read the clock) / 4")


Run = Callable[[Callable[[], None], FakeClock], Measurement]


@pytest.mark.parametrize(
    ("run", "what"),
    [
        (lambda stmt, clock: bench(stmt, number=0, clock=clock), "number"),
        (lambda stmt, clock: bench(stmt, number=-5, clock=clock), "number"),
        (lambda stmt, clock: bench(stmt, repeat=0, clock=clock), "repeat"),
        (lambda stmt, clock: bench(stmt, warmup=-1, clock=clock), "warmup"),
        (lambda stmt, clock: bench(stmt, threshold=0.0, clock=clock), "threshold"),
        (lambda stmt, clock: bench(stmt, threshold=-0.5, clock=clock), "threshold"),
    ],
    ids=["no-loops", "negative-loops", "no-rounds", "negative-warmup", "no-threshold", "negative-threshold"],
)
def test_bench_rejects_nonsense_settings(run: Run, what: str) -> None:
    clock = FakeClock()
    with pytest.raises(ValueError, match=what):
        run(clock.costing(US), clock)
    assert_same(clock.calls, 0, "check the settings before running anything")


def test_bench_accepts_the_smallest_sensible_settings() -> None:
    clock = FakeClock()
    measured = bench(clock.costing(US), number=1, repeat=1, warmup=0, threshold=MS, clock=clock)
    assert_same(measured, Measurement("stmt", 1, (US,)))


# --- the garbage collector -------------------------------------------------------------------


@pytest.mark.weight(2)
def test_the_collector_is_off_while_rounds_run_and_on_again_after() -> None:
    clock = FakeClock()
    seen: list[bool] = []

    def stmt() -> None:
        seen.append(gc.isenabled())
        clock.now += MS

    gc.enable()
    bench(stmt, threshold=0.01, warmup=1, repeat=2, clock=clock)

    assert seen and not any(seen), "gc must be disabled in every round, autorange's included"
    assert gc.isenabled(), "the collector must be on again afterwards"


def test_a_collector_that_was_off_stays_off() -> None:
    clock = FakeClock()
    gc.disable()

    bench(clock.costing(MS), threshold=0.01, clock=clock)
    time_loops(clock.costing(MS), 3, clock)

    assert not gc.isenabled(), "restore the state the collector was in, do not just enable it"


@pytest.mark.weight(2)
def test_the_collector_is_restored_when_the_statement_raises() -> None:
    def failing_at(call: int) -> Callable[[], None]:
        calls = 0

        def stmt() -> None:
            nonlocal calls
            calls += 1
            if calls == call:
                raise KeyError("missing fixture")

        return stmt

    gc.enable()
    with pytest.raises(KeyError):
        bench(failing_at(30), threshold=1.0, clock=FakeClock())
    assert gc.isenabled(), "a failing statement must not leave the collector off"

    with pytest.raises(KeyError):
        time_loops(failing_at(3), 5, FakeClock())
    assert gc.isenabled()


# --- reporting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (1.234e-6, "1.23 us"),
        (45.6e-3, "45.6 ms"),
        (789e-9, "789 ns"),
        (2.0, "2.00 s"),
        (12.5, "12.5 s"),
        (1500.0, "1500 s"),
        (100.0, "100 s"),
        (100.25, "100 s"),
        (0.5, "500 ms"),
        (1e-3, "1.00 ms"),
        (1e-6, "1.00 us"),
        (999e-6, "999 us"),
        (10e-9, "10.0 ns"),
        (99.94e-6, "99.9 us"),
        (1.5e-9, "1.50 ns"),
        (2.5e-10, "0.25 ns"),
        (0.0, "0.00 ns"),
    ],
)
def test_format_time_picks_a_unit_and_keeps_three_digits(seconds: float, shown: str) -> None:
    assert_same(format_time(seconds), shown)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("per_loop", "best", "median"),
    [
        ((3 * US, 1 * US, 2 * US, 5 * US, 4 * US), 1 * US, 3 * US),
        ((4 * US, 1 * US, 2 * US, 8 * US), 1 * US, 3 * US),
        ((2 * US, 4 * US), 2 * US, 3 * US),
        ((6 * US, 6 * US), 6 * US, 6 * US),
    ],
    ids=["odd", "even", "two", "equal"],
)
def test_best_median_and_stdev_of_the_rounds(per_loop: tuple[float, ...], best: float, median: float) -> None:
    measured = Measurement("m", 10, per_loop)

    assert_same(measured.best, best)
    assert_same(measured.median, median)
    assert_same(measured.stdev, statistics.stdev(per_loop), approx=1e-12)


def test_one_round_has_no_spread() -> None:
    assert_same(Measurement("m", 10, (5 * US,)).stdev, 0.0)


@pytest.mark.weight(2)
def test_a_measurement_reads_like_timeit() -> None:
    measured = Measurement("join", 2000, (1.5e-6, 1.25e-6, 1.3e-6, 4.0e-6, 1.28e-6))

    assert_same(
        str(measured),
        "join: 2000 loops, best of 5: 1.25 us per loop (median 1.30 us, stdev 1.20 us)",
    )
    assert_same(
        str(Measurement("sort", 1, (0.25,))),
        "sort: 1 loop, best of 1: 250 ms per loop (median 250 ms, stdev 0.00 ns)",
    )


# --- comparing two candidates --------------------------------------------------------------


def measurement(name: str, *per_loop: float) -> Measurement:
    return Measurement(name, 100, per_loop)


@pytest.mark.weight(2)
@pytest.mark.parametrize("order", ["join-first", "concat-first"])
def test_compare_names_the_faster_by_its_best_round(order: str) -> None:
    join = measurement("join", 3 * US, 2 * US, 9 * US)
    concat = measurement("concat", 7 * US, 6 * US, 6.5 * US)  # a better median, a worse best
    pair: Sequence[Measurement] = (join, concat) if order == "join-first" else (concat, join)

    comparison = compare(*pair)

    assert_same(comparison, Comparison(join, concat))
    assert_same(comparison.ratio, 3.0)
    assert_same(str(comparison), "join is 3.00x faster than concat")


def test_on_a_tie_the_first_counts_as_faster() -> None:
    a, b = measurement("a", 2 * US), measurement("b", 2 * US, 5 * US)

    assert_same(compare(a, b), Comparison(a, b))
    assert_same(compare(b, a), Comparison(b, a))
    assert_same(str(compare(a, b)), "a is 1.00x faster than b")


def test_a_ratio_is_shown_with_two_decimals() -> None:
    fast, slow = measurement("fast", 3 * US), measurement("slow", 4 * US)
    assert_same(str(compare(slow, fast)), "fast is 1.33x faster than slow")


def test_a_loop_too_fast_for_the_clock() -> None:
    zero, some = measurement("zero", 0.0), measurement("some", US)

    assert_same(compare(some, zero).ratio, math.inf)
    assert_same(compare(zero, measurement("also-zero", 0.0)).ratio, 1.0)
