"""Tests for executors.choose_executor and executors.run_all.

Which executor a workload gets is seen through what it does, not its class alone: a call
that returns `os.getpid()` shows whether it ran in this process or in a worker process, and
calls that wait at a barrier show how many run at the same time (every barrier has a
timeout, so too few workers fail instead of hanging). No test depends on how fast anything
runs.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.synchronize import Barrier as ProcessBarrier

import pytest
from pygrade_graders.compare import assert_same

from executors import IO_THREADS_PER_CORE, Workload, choose_executor, run_all

FORK = multiprocessing.get_context("fork")

# How long a barrier waits for the other calls. Correct code needs milliseconds.
MEET_TIMEOUT = 5.0


# --- functions the executors run (module level, so that a process pool can pickle them) ---


def square(number: int) -> int:
    return number * number


def pid_of(_: int) -> int:
    return os.getpid()


def thread_of(_: int) -> int:
    return threading.get_ident()


class BadRecord(Exception):
    pass


def parse(number: int) -> int:
    if number == 3:
        raise BadRecord(f"record {number} is corrupt")
    return number


_barrier: threading.Barrier | ProcessBarrier | None = None


def meet(_: int) -> int:
    """Wait until the barrier's other parties arrive, then say which thread ran this call."""
    assert _barrier is not None, "the test makes the barrier before the executor starts"
    _barrier.wait()
    return threading.get_ident()


def meet_in_process(_: int) -> int:
    """Wait until the other processes arrive, then say which process ran this call."""
    assert _barrier is not None, "the test makes the barrier before the pool forks"
    _barrier.wait()
    return os.getpid()


@pytest.fixture(autouse=True)
def no_barrier_left() -> Iterator[None]:
    global _barrier
    yield
    _barrier = None


def use_barrier(barrier: threading.Barrier | ProcessBarrier) -> None:
    global _barrier
    _barrier = barrier


# --- choose_executor ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workload", "kind"),
    [
        (Workload.PURE_PYTHON, ProcessPoolExecutor),
        (Workload.RELEASES_GIL, ThreadPoolExecutor),
        (Workload.NETWORK, ThreadPoolExecutor),
    ],
)
def test_processes_only_for_pure_python_work(workload: Workload, kind: type[Executor]) -> None:
    executor = choose_executor(workload, 2)
    try:
        assert isinstance(executor, kind), f"{workload} wants a {kind.__name__}"
    finally:
        executor.shutdown()


@pytest.mark.parametrize("workload", list(Workload))
@pytest.mark.parametrize("cores", [0, -1])
def test_rejects_fewer_than_one_core(workload: Workload, cores: int) -> None:
    with pytest.raises(ValueError):
        choose_executor(workload, cores)


def pool_threads(workload: Workload, cores: int, calls: int) -> int:
    """How many threads the executor for `workload` starts for `calls` calls that all block.

    A thread pool starts its threads as calls are submitted, and none of these calls ends
    before the test releases them, so no thread is free to take a second call.
    """
    release = threading.Event()
    before = threading.active_count()
    executor = choose_executor(workload, cores)
    try:
        futures = [executor.submit(release.wait, MEET_TIMEOUT) for _ in range(calls)]
        started = threading.active_count() - before
    finally:
        release.set()
        executor.shutdown()
    assert all(future.result() for future in futures)
    return started


@pytest.mark.weight(2)
@pytest.mark.parametrize("cores", [1, 3])
def test_gil_releasing_work_gets_one_thread_per_core(cores: int) -> None:
    # Calls wait until `cores` of them meet: with fewer threads they never would.
    use_barrier(threading.Barrier(cores, timeout=MEET_TIMEOUT))
    with choose_executor(Workload.RELEASES_GIL, cores) as executor:
        threads = list(executor.map(meet, range(cores)))

    assert_same(len(set(threads)), cores, "threads that ran the calls")
    assert threading.get_ident() not in threads, "the calls run on the pool's threads"
    assert_same(pool_threads(Workload.RELEASES_GIL, cores, 4 * cores), cores, "threads started")


@pytest.mark.weight(2)
@pytest.mark.parametrize(("cores", "threads_wanted"), [(1, 8), (2, 16)])
def test_network_work_gets_eight_threads_per_core(cores: int, threads_wanted: int) -> None:
    use_barrier(threading.Barrier(threads_wanted, timeout=MEET_TIMEOUT))
    with choose_executor(Workload.NETWORK, cores) as executor:
        threads = list(executor.map(meet, range(threads_wanted)))

    assert_same(len(set(threads)), threads_wanted, "threads that ran the calls")
    assert_same(pool_threads(Workload.NETWORK, cores, 40), threads_wanted, "threads started")


@pytest.mark.weight(2)
def test_pure_python_work_gets_one_process_per_core() -> None:
    # The barrier is made before the pool forks its workers, so they share it.
    use_barrier(FORK.Barrier(2, timeout=MEET_TIMEOUT))
    with choose_executor(Workload.PURE_PYTHON, 2) as executor:
        pids = list(executor.map(meet_in_process, range(4)))

    assert_same(len(set(pids)), 2, "processes that ran the calls")
    assert os.getpid() not in pids, "the calls run in worker processes"


# --- run_all --------------------------------------------------------------------------------


@pytest.mark.parametrize("workload", list(Workload))
def test_run_all_returns_the_results_in_order(workload: Workload) -> None:
    numbers = [7, 3, 11, 0, 5, 2, 9, 4, 1, 10, 8, 6]

    assert_same(run_all(workload, square, numbers, cores=2), [n * n for n in numbers])


@pytest.mark.parametrize("workload", list(Workload))
def test_run_all_of_nothing_is_empty(workload: Workload) -> None:
    assert_same(run_all(workload, square, [], cores=1), [])


def test_run_all_runs_pure_python_work_in_other_processes() -> None:
    pids = run_all(Workload.PURE_PYTHON, pid_of, range(6), cores=2)

    assert_same(len(pids), 6)
    assert os.getpid() not in pids, "pure-Python work must run in worker processes"
    assert len(set(pids)) <= 2, f"at most 2 worker processes, got {len(set(pids))}"


@pytest.mark.parametrize("workload", [Workload.RELEASES_GIL, Workload.NETWORK])
def test_run_all_runs_other_work_on_threads_of_this_process(workload: Workload) -> None:
    pids = run_all(workload, pid_of, range(6), cores=2)
    threads = run_all(workload, thread_of, range(6), cores=2)

    assert_same(set(pids), {os.getpid()}, "threads share this process")
    assert threading.get_ident() not in threads, "the calls run on the pool's threads"


@pytest.mark.weight(2)
@pytest.mark.parametrize("workload", list(Workload))
def test_run_all_passes_a_failure_on(workload: Workload) -> None:
    with pytest.raises(BadRecord, match="record 3 is corrupt"):
        run_all(workload, parse, range(6), cores=2)


@pytest.mark.weight(2)
@pytest.mark.parametrize("workload", list(Workload))
@pytest.mark.parametrize("fails", [False, True], ids=["returns", "raises"])
def test_run_all_shuts_its_executor_down(workload: Workload, fails: bool) -> None:
    threads_before = threading.active_count()

    try:
        run_all(workload, parse if fails else square, range(6), cores=2)
    except BadRecord:
        assert fails

    assert_same(multiprocessing.active_children(), [], "worker processes left running")
    assert_same(threading.active_count(), threads_before, "threads left running")
