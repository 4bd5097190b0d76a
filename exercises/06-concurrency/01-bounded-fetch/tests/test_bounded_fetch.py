"""Tests for bounded: gather_limited, parallel_map and Counter.

The async tests use instrumented jobs that count how many of them are running
at the same moment, so they check real concurrency rather than timing.
"""

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable

import pytest
from pygrade_graders.compare import assert_same

from bounded import Counter, gather_limited, parallel_map


class JobFailed(Exception):
    pass


class Tracker:
    """Makes instrumented jobs and records what happens to them."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.peak = 0
        self.started: list[int] = []
        self.finished: list[int] = []
        self.cancelled: list[int] = []

    def job(
        self, value: int, delay: float = 0.01, fail: bool = False
    ) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.started.append(value)
            try:
                await asyncio.sleep(delay)
            except asyncio.CancelledError:
                self.cancelled.append(value)
                raise
            finally:
                self.in_flight -= 1
            if fail:
                raise JobFailed(f"job {value} failed")
            self.finished.append(value)
            return value

        return run


@pytest.fixture
def tracker() -> Tracker:
    return Tracker()


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_results_come_back_in_input_order(tracker: Tracker, limit: int) -> None:
    # Later jobs are faster, so they finish first.
    jobs = [tracker.job(i, delay=0.002 * (5 - i)) for i in range(5)]
    assert_same(asyncio.run(gather_limited(jobs, limit)), [0, 1, 2, 3, 4])
    assert_same(asyncio.run(gather_limited([], limit)), [])


@pytest.mark.weight(2)
@pytest.mark.parametrize(("limit", "expected_peak"), [(1, 1), (3, 3), (8, 8), (20, 8)])
def test_never_runs_more_than_limit_at_once(
    tracker: Tracker, limit: int, expected_peak: int
) -> None:
    jobs = [tracker.job(i) for i in range(8)]
    asyncio.run(gather_limited(jobs, limit))
    assert tracker.peak == expected_peak, (
        f"with limit={limit} and 8 jobs, {expected_peak} should run at once, saw {tracker.peak}"
    )
    assert sorted(tracker.started) == list(range(8)), "every job runs exactly once"


def test_rejects_limits_below_one() -> None:
    with pytest.raises(ValueError):
        asyncio.run(gather_limited([], 0))
    with pytest.raises(ValueError):
        parallel_map(str, [1, 2], workers=0)


def test_first_failure_propagates_unwrapped(tracker: Tracker) -> None:
    jobs = [
        tracker.job(0, delay=0.03, fail=True),
        tracker.job(1, delay=0.01, fail=True),  # fails first
        tracker.job(2, delay=0.02),
    ]
    with pytest.raises(JobFailed, match="job 1 failed"):
        asyncio.run(gather_limited(jobs, 3))


@pytest.mark.weight(2)
def test_failure_cancels_the_other_jobs(tracker: Tracker) -> None:
    failing = tracker.job(0, delay=0.005, fail=True)
    jobs = [failing] + [tracker.job(i, delay=0.3) for i in range(1, 6)]

    async def scenario() -> None:
        with pytest.raises(JobFailed):
            await gather_limited(jobs, 2)
        # Checked inside the event loop, before asyncio.run() cleans up.
        assert tracker.in_flight == 0, "no job may still be running once gather_limited raises"
        assert 1 in tracker.cancelled, "job 1 was running and must have been cancelled"
        started = list(tracker.started)
        await asyncio.sleep(0.02)
        assert tracker.started == started, "no new job may start after the failure"
        assert tracker.finished == []

    asyncio.run(scenario())


def test_parallel_map_preserves_order() -> None:
    def slow_square(n: int) -> int:
        time.sleep(0.001 * (n % 3))  # finish out of order
        return n * n

    assert_same(parallel_map(slow_square, range(12), workers=4), [n * n for n in range(12)])
    assert_same(parallel_map(slow_square, [], workers=2), [])


def test_parallel_map_works_on_a_single_worker() -> None:
    assert_same(parallel_map(str, [1, 2, 3], workers=1), ["1", "2", "3"])


def test_parallel_map_runs_calls_concurrently() -> None:
    # Each call waits until all four are inside fn at the same time; run one
    # after another, they would time out with BrokenBarrierError.
    barrier = threading.Barrier(4, timeout=2.0)

    def meet(_: int) -> int:
        barrier.wait()
        return threading.get_ident()

    thread_ids = parallel_map(meet, range(4), workers=4)
    assert_same(len(set(thread_ids)), 4)


def test_parallel_map_never_uses_more_than_workers_threads() -> None:
    lock = threading.Lock()
    in_flight = 0
    peak = 0
    thread_ids: set[int] = set()

    def work(n: int) -> int:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
            thread_ids.add(threading.get_ident())
        time.sleep(0.002)
        with lock:
            in_flight -= 1
        return n

    assert_same(parallel_map(work, range(12), workers=3), list(range(12)))
    assert peak <= 3 and len(thread_ids) <= 3, f"{peak} calls at once on {len(thread_ids)} threads"


def test_parallel_map_propagates_exceptions() -> None:
    def check(n: int) -> int:
        if n == 3:
            raise ValueError(f"bad item {n}")
        return n

    with pytest.raises(ValueError, match="bad item 3"):
        parallel_map(check, range(6), workers=2)


def test_counter_starts_at_zero_and_returns_new_value() -> None:
    counter = Counter()
    assert_same(counter.value, 0)
    assert_same(counter.increment(), 1)
    assert_same(counter.increment(5), 6)
    assert_same(counter.value, 6)


class SlowInt(int):
    """An int that pauses when it is added to another int.

    ``counter_total + SlowInt(1)`` calls ``SlowInt.__radd__``, which lets other
    threads run in the middle of the read-add-write. Without a lock, increments
    from different threads then overwrite each other and get lost.
    """

    def __radd__(self, other: int) -> int:
        time.sleep(0)  # hand over to another thread mid-update
        return int(other) + int(self)


@pytest.mark.weight(2)
def test_counter_is_safe_across_threads() -> None:
    counter = Counter()
    seen: list[list[int]] = [[] for _ in range(8)]

    def hammer(index: int) -> None:
        for _ in range(100):
            seen[index].append(counter.increment(SlowInt(1)))

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert_same(counter.value, 800, "some increments were lost: is the update guarded by a lock?")
    returned = sorted(value for values in seen for value in values)
    assert_same(
        returned, list(range(1, 801)), "increment() must return each new value exactly once"
    )
