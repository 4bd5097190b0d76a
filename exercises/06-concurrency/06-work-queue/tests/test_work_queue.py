"""Tests for work_queue.WorkQueue.

Nothing here sleeps or measures time. A task that must not finish yet waits on a
`threading.Event` the test sets; calls that must run at the same time meet at a
`threading.Barrier`. Every wait has a timeout (`PATIENCE`), so a queue that never gets there
fails the test instead of hanging it; correct code needs milliseconds.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from pygrade_graders.compare import assert_same

from work_queue import QueueClosed, QueueFull, Result, TaskCancelled, WorkQueue

PATIENCE = 5.0


def double(number: int) -> int:
    return 2 * number


class Gate:
    """A task function whose calls wait until the test opens their gate.

    `started[item]` is set as the call for `item` begins, so the test can wait until it runs.
    """

    def __init__(self, *items: int) -> None:
        self.started = {item: threading.Event() for item in items}
        self.opened = {item: threading.Event() for item in items}

    def __call__(self, item: int) -> int:
        self.started[item].set()
        assert self.opened[item].wait(PATIENCE), f"the gate of task {item} was never opened"
        return 2 * item

    def wait_started(self, item: int) -> None:
        assert self.started[item].wait(PATIENCE), f"task {item} never started"

    def open(self, *items: int) -> None:
        for item in items or tuple(self.opened):
            self.opened[item].set()


def values(results: list[Result[int]]) -> list[int | None]:
    return [result.value for result in results]


def run_in_thread(call: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    """Start `call` in a thread; the list receives what it returned or raised."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(call())
        except Exception as error:
            outcome.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


# --- results and their order ----------------------------------------------------------------


def test_runs_every_task_and_returns_the_results_in_submission_order() -> None:
    queue: WorkQueue[int, int] = WorkQueue(double, workers=4, capacity=3)
    indexes = [queue.submit(number) for number in range(25)]

    results = queue.results()

    assert_same(indexes, list(range(25)), "submit returns 0, 1, 2, ...")
    assert_same([result.index for result in results], list(range(25)))
    assert_same(values(results), [2 * number for number in range(25)])
    assert all(result.ok and result.error is None for result in results)


@pytest.mark.weight(2)
def test_results_keep_submission_order_when_tasks_finish_in_reverse() -> None:
    gate = Gate(0, 1, 2)
    queue: WorkQueue[int, int] = WorkQueue(gate, workers=3, capacity=3)
    for item in (0, 1, 2):
        queue.submit(item)
    for item in (2, 1, 0):
        gate.wait_started(item)
    for item in (2, 1, 0):  # the last task submitted finishes first
        gate.open(item)

    assert_same(values(queue.results()), [0, 2, 4])


def test_a_queue_without_tasks_has_no_results() -> None:
    queue: WorkQueue[int, int] = WorkQueue(double, workers=2, capacity=1)

    assert_same(queue.results(), [])


# --- workers --------------------------------------------------------------------------------


@pytest.mark.weight(2)
@pytest.mark.parametrize("workers", [1, 3])
def test_exactly_workers_threads_run_the_tasks(workers: int) -> None:
    # The tasks wait until `workers` of them meet: with fewer threads they never would. Each
    # task reports the thread that ran it.
    barrier = threading.Barrier(workers, timeout=PATIENCE)

    def meet(_: int) -> int:
        barrier.wait()
        return threading.get_ident()

    queue: WorkQueue[int, int] = WorkQueue(meet, workers=workers, capacity=4 * workers)
    for number in range(4 * workers):
        queue.submit(number)
    threads = {result.value for result in queue.results()}

    assert_same(len(threads), workers, "threads that ran the tasks")
    assert threading.get_ident() not in threads, "tasks run on the queue's own threads"


@pytest.mark.weight(2)
def test_no_more_than_workers_tasks_run_at_once() -> None:
    lock = threading.Lock()
    running = 0
    peak = 0
    gate = Gate(*range(6))

    def task(item: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            return gate(item)
        finally:
            with lock:
                running -= 1

    queue: WorkQueue[int, int] = WorkQueue(task, workers=2, capacity=6)
    for item in range(6):
        queue.submit(item)
    gate.wait_started(0)
    gate.wait_started(1)
    assert_same(queue.pending, 4, "two tasks run, four wait for a worker")
    gate.open()

    assert_same(values(queue.results()), [0, 2, 4, 6, 8, 10])
    assert_same(peak, 2, "the most tasks running at once")


def test_starts_the_oldest_waiting_task_first() -> None:
    gate = Gate(*range(5))
    started: list[int] = []

    def task(item: int) -> int:
        started.append(item)
        return gate(item)

    queue: WorkQueue[int, int] = WorkQueue(task, workers=1, capacity=5)
    for item in range(5):
        queue.submit(item)
    gate.open()
    queue.results()

    assert_same(started, [0, 1, 2, 3, 4])


@pytest.mark.weight(2)
def test_every_worker_thread_stops_after_results() -> None:
    before = threading.active_count()
    queue: WorkQueue[int, int] = WorkQueue(double, workers=4, capacity=2)
    assert_same(threading.active_count(), before + 4, "threads started by the constructor")
    queue.submit(1)

    queue.results()

    assert_same(threading.active_count(), before, "threads still running after results()")


@pytest.mark.parametrize(("workers", "capacity"), [(0, 1), (1, 0), (-1, 5), (2, -3)])
def test_rejects_fewer_than_one_worker_or_slot(workers: int, capacity: int) -> None:
    with pytest.raises(ValueError):
        WorkQueue(double, workers=workers, capacity=capacity)


# --- failures -------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_a_failing_task_is_its_own_result_and_the_worker_goes_on() -> None:
    raised: dict[int, Exception] = {}

    def parse(item: int) -> int:
        if item % 3 == 1:
            raised[item] = error = ValueError(f"record {item} is corrupt")
            raise error
        return 2 * item

    # One worker: if a failure ended it, no later task would run.
    queue: WorkQueue[int, int] = WorkQueue(parse, workers=1, capacity=10)
    for item in range(8):
        queue.submit(item)
    results = queue.results()

    assert_same([result.ok for result in results], [item % 3 != 1 for item in range(8)])
    for item, result in enumerate(results):
        if item % 3 == 1:
            assert result.error is raised[item], f"task {item}: the very exception it raised"
            assert_same(result.value, None)
        else:
            assert_same((result.value, result.error), (2 * item, None))


# --- bounded --------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_submit_refuses_when_capacity_tasks_are_waiting() -> None:
    gate = Gate(0, 1, 2, 3)
    queue: WorkQueue[int, int] = WorkQueue(gate, workers=1, capacity=2)
    queue.submit(0)
    gate.wait_started(0)  # task 0 holds the only worker
    queue.submit(1)
    queue.submit(2)  # two tasks waiting: the queue is full

    with pytest.raises(QueueFull):
        queue.submit(3, timeout=0)
    assert_same(queue.pending, 2)

    gate.open(0)
    gate.wait_started(1)  # task 1 left the queue: there is room for one
    assert_same(queue.submit(3, timeout=PATIENCE), 3, "the refused task did not take an index")
    gate.open()
    assert_same(values(queue.results()), [0, 2, 4, 6])


@pytest.mark.weight(2)
def test_a_blocked_submit_goes_on_once_a_task_starts() -> None:
    gate = Gate(0, 1, 2)
    queue: WorkQueue[int, int] = WorkQueue(gate, workers=1, capacity=1)
    queue.submit(0)
    gate.wait_started(0)
    queue.submit(1)  # full

    thread, outcome = run_in_thread(lambda: queue.submit(2))
    gate.open(0)  # task 1 can start now, which makes room for task 2
    thread.join(PATIENCE)

    assert_same(outcome, [2], "the blocked submit returns task 2's index")
    gate.open()
    assert_same(values(queue.results()), [0, 2, 4])


# --- shutdown -------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_shutdown_drains_the_tasks_already_submitted() -> None:
    gate = Gate(*range(5))
    queue: WorkQueue[int, int] = WorkQueue(gate, workers=1, capacity=5)
    for item in range(5):
        queue.submit(item)
    gate.wait_started(0)

    queue.shutdown(wait=False)
    with pytest.raises(QueueClosed):
        queue.submit(5)
    gate.open()
    queue.shutdown()

    assert_same(values(queue.results()), [0, 2, 4, 6, 8])


@pytest.mark.weight(3)
def test_shutdown_with_cancel_skips_the_waiting_tasks_but_finishes_the_running_ones() -> None:
    gate = Gate(*range(6))
    queue: WorkQueue[int, int] = WorkQueue(gate, workers=2, capacity=4)
    for item in range(6):
        queue.submit(item)
    gate.wait_started(0)
    gate.wait_started(1)

    queue.shutdown(cancel=True, wait=False)
    assert_same(queue.pending, 0, "no task waits any more")
    gate.open()
    results = queue.results()

    assert_same(values(results[:2]), [0, 2], "the running tasks finish")
    for index, result in enumerate(results[2:], start=2):
        assert isinstance(result.error, TaskCancelled), f"task {index} should be cancelled"
        assert_same((result.index, result.error.index, result.value), (index, index, None))
        assert_same(str(result.error), f"task {index} was cancelled before it started")
        assert not gate.started[index].is_set(), f"cancelled task {index} ran anyway"


def test_submit_after_shutdown_is_refused() -> None:
    queue: WorkQueue[int, int] = WorkQueue(double, workers=2, capacity=2)
    queue.submit(1)
    queue.shutdown()

    with pytest.raises(QueueClosed):
        queue.submit(2)
    assert_same(values(queue.results()), [2], "the refused task has no result")


@pytest.mark.parametrize("cancel", [False, True])
def test_a_submit_waiting_for_room_is_refused_by_shutdown(cancel: bool) -> None:
    gate = Gate(0, 1)
    queue: WorkQueue[int, int] = WorkQueue(gate, workers=1, capacity=1)
    queue.submit(0)
    gate.wait_started(0)
    queue.submit(1)  # full: the next submit waits for room

    thread, outcome = run_in_thread(lambda: queue.submit(2))
    queue.shutdown(cancel=cancel, wait=False)
    thread.join(PATIENCE)
    gate.open()

    assert len(outcome) == 1 and isinstance(outcome[0], QueueClosed), outcome
    assert_same(len(queue.results()), 2, "only the two tasks accepted have results")


def test_shutdown_twice_and_results_twice_are_harmless() -> None:
    queue: WorkQueue[int, int] = WorkQueue(double, workers=2, capacity=2)
    queue.submit(4)
    queue.shutdown()
    queue.shutdown(cancel=True)

    assert_same(values(queue.results()), [8])
    assert_same(values(queue.results()), [8])


# --- under contention -----------------------------------------------------------------------


@pytest.mark.weight(3)
def test_many_producers_lose_and_duplicate_no_task() -> None:
    producers, per_producer = 4, 300
    lock = threading.Lock()
    calls: Counter[int] = Counter()

    def record(item: int) -> int:
        with lock:
            calls[item] += 1
        return item

    queue: WorkQueue[int, int] = WorkQueue(record, workers=3, capacity=5)
    submitted: dict[int, int] = {}  # index -> item
    start = threading.Barrier(producers, timeout=PATIENCE)

    def produce(first: int) -> None:
        start.wait()  # every producer submits at the same time
        for item in range(first, first + per_producer):
            index = queue.submit(item)
            with lock:
                submitted[index] = item

    threads = [
        threading.Thread(target=produce, args=(number * per_producer,))
        for number in range(producers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
    results = queue.results()

    total = producers * per_producer
    assert_same(sorted(submitted), list(range(total)), "every index handed out once")
    assert_same(sorted(submitted.values()), list(range(total)), "every item submitted")
    assert_same(len(results), total)
    assert_same(
        [result.value for result in results],
        [submitted[index] for index in range(total)],
        "each result belongs to the item submitted with its index",
    )
    assert_same(set(calls.values()), {1}, "every task ran exactly once")
