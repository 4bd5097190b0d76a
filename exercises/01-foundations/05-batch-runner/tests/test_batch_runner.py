"""Tests for batch_runner.py: batches, retries and stops, jobs, their order and counters."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from pygrade_graders.compare import assert_same

from batch_runner import Job, RunReport, describe, make_counter, make_job, order_jobs, run_batches


class Recorder:
    """A handler that keeps every batch it is given and returns the batch's sum."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    def __call__(self, batch: list[int]) -> int:
        self.batches.append(batch)
        return sum(batch)


class Flaky:
    """A handler that raises for the first ``failures[n]`` calls with batch number n (batches
    are told apart by their first item), then returns the batch's sum."""

    def __init__(self, failures: dict[int, int]) -> None:
        self.failures = dict(failures)
        self.calls: list[list[int]] = []

    def __call__(self, batch: list[int]) -> int:
        self.calls.append(list(batch))
        first = batch[0]
        if self.failures.get(first, 0) > 0:
            self.failures[first] -= 1
            batch.clear()  # a handler that makes a mess of its list before it fails
            raise ConnectionError(f"batch starting at {first} failed")
        return sum(batch)


class Counted:
    """An iterable that counts how many items were drawn from it."""

    def __init__(self, items: Iterable[int | None]) -> None:
        self.items = list(items)
        self.drawn = 0

    def __iter__(self) -> Iterator[int | None]:
        for item in self.items:
            self.drawn += 1
            yield item


def report(
    results: list[int],
    *,
    failed: list[int] | None = None,
    attempts: int,
    skipped: int = 0,
    completed: bool = True,
) -> RunReport[int]:
    return RunReport(results, failed or [], attempts, skipped, completed)


# --- run_batches: batches ------------------------------------------------------


@pytest.mark.weight(2)
def test_items_are_handed_over_in_batches_the_last_one_shorter() -> None:
    handler = Recorder()

    result = run_batches(range(1, 8), handler, batch_size=3)

    assert_same(handler.batches, [[1, 2, 3], [4, 5, 6], [7]])
    assert_same(result, report([6, 15, 7], attempts=3))


def test_no_empty_batch_when_the_items_fill_the_batches_exactly() -> None:
    handler = Recorder()

    result = run_batches([1, 2, 3, 4], handler, batch_size=2)

    assert_same(handler.batches, [[1, 2], [3, 4]])
    assert_same(result, report([3, 7], attempts=2))


def test_a_batch_size_of_one_hands_over_every_item_alone() -> None:
    handler = Recorder()

    run_batches([5, 6, 7], handler, batch_size=1)

    assert_same(handler.batches, [[5], [6], [7]])


def test_a_batch_larger_than_the_items_is_one_call() -> None:
    handler = Recorder()

    result = run_batches([5, 6], handler, batch_size=10)

    assert_same(handler.batches, [[5, 6]])
    assert_same(result, report([11], attempts=1))


def test_no_items_no_calls() -> None:
    handler = Recorder()

    result = run_batches([], handler, batch_size=3)

    assert_same(handler.batches, [])
    assert_same(result, report([], attempts=0))


@pytest.mark.weight(2)
def test_none_items_are_skipped_and_counted_but_falsy_items_are_kept() -> None:
    seen: list[list[object]] = []

    def handler(batch: list[object]) -> int:
        seen.append(batch)
        return len(batch)

    items: list[object | None] = [None, 0, "", None, False, None, [], 7]
    result = run_batches(items, handler, batch_size=2)

    assert_same(seen, [[0, ""], [False, []], [7]])
    assert_same(result.skipped, 3)
    assert_same(result.results, [2, 2, 1])


def test_only_none_items_make_no_batch() -> None:
    handler = Recorder()

    result = run_batches([None, None], handler, batch_size=1)

    assert_same(handler.batches, [])
    assert_same(result, report([], attempts=0, skipped=2))


def test_each_call_gets_a_list_of_its_own() -> None:
    kept: list[list[int]] = []

    def handler(batch: list[int]) -> None:
        kept.append(batch)

    run_batches(iter([1, 2, 3, 4, 5]), handler, batch_size=2)

    assert_same(kept, [[1, 2], [3, 4], [5]])
    assert all(type(batch) is list for batch in kept), "each batch is a list"


# --- run_batches: stopping -------------------------------------------------------


@pytest.mark.weight(2)
def test_stop_on_stops_the_run_after_the_result_it_flags() -> None:
    handler = Recorder()

    result = run_batches(range(1, 10), handler, batch_size=2, stop_on=lambda total: total > 6)

    assert_same(handler.batches, [[1, 2], [3, 4]])
    assert_same(result, report([3, 7], attempts=2, completed=False))


@pytest.mark.weight(2)
def test_a_stopped_run_reads_no_item_beyond_its_last_batch() -> None:
    items = Counted(range(100))

    run_batches(items, Recorder(), batch_size=4, stop_on=lambda total: total > 10)

    assert_same(items.drawn, 8, "items drawn from the iterable")


def test_a_run_reads_items_lazily_and_skipped_items_count_as_read() -> None:
    items = Counted([None, 1, None, 2, 3, None, 4])

    result = run_batches(items, Recorder(), batch_size=2, stop_on=lambda total: True)

    assert_same(items.drawn, 4)
    assert_same(result.skipped, 2)


def test_a_stop_on_the_last_short_batch_still_marks_the_run_stopped() -> None:
    result = run_batches([1, 2, 5], Recorder(), batch_size=2, stop_on=lambda total: total == 5)

    assert_same(result, report([3, 5], attempts=2, completed=False))


def test_a_stop_on_that_never_fires_completes_the_run() -> None:
    result = run_batches([1, 2, 3], Recorder(), batch_size=2, stop_on=lambda total: total > 100)

    assert_same(result, report([3, 3], attempts=2, completed=True))


def test_stop_on_is_asked_about_every_result() -> None:
    asked: list[int] = []

    def stop_on(total: int) -> bool:
        asked.append(total)
        return False

    run_batches([1, 2, 3, 4, 5], Recorder(), batch_size=2, stop_on=stop_on)

    assert_same(asked, [3, 7, 5])


# --- run_batches: failures and retries -------------------------------------------


@pytest.mark.weight(2)
def test_a_failed_batch_is_retried_with_its_items() -> None:
    handler = Flaky({3: 2})

    result = run_batches([1, 2, 3, 4, 5], handler, batch_size=2, retries=2)

    assert_same(handler.calls, [[1, 2], [3, 4], [3, 4], [3, 4], [5]])
    assert_same(result, report([3, 7, 5], attempts=5))


@pytest.mark.weight(2)
def test_a_batch_that_fails_every_attempt_is_recorded_and_the_run_goes_on() -> None:
    handler = Flaky({1: 5, 5: 5})

    result = run_batches([1, 2, 3, 4, 5, 6, 7], handler, batch_size=2, retries=1)

    assert_same(handler.calls, [[1, 2], [1, 2], [3, 4], [5, 6], [5, 6], [7]])
    assert_same(result, report([7, 7], failed=[0, 2], attempts=6))


def test_without_retries_a_failing_batch_is_tried_once() -> None:
    handler = Flaky({3: 1})

    result = run_batches([1, 2, 3, 4], handler, batch_size=2)

    assert_same(handler.calls, [[1, 2], [3, 4]])
    assert_same(result, report([3], failed=[1], attempts=2))


def test_a_failed_last_batch_completes_the_run() -> None:
    handler = Flaky({3: 9})

    result = run_batches([1, 2, 3], handler, batch_size=2, retries=1, stop_on=lambda total: False)

    assert_same(result, report([3], failed=[1], attempts=3, completed=True))


def test_stop_on_is_not_asked_about_a_failed_batch() -> None:
    asked: list[int] = []

    def stop_on(total: int) -> bool:
        asked.append(total)
        return False

    run_batches([1, 2, 3, 4], Flaky({1: 1}), batch_size=2, stop_on=stop_on)

    assert_same(asked, [7])


def test_an_interrupt_is_not_a_failure_to_retry() -> None:
    calls: list[list[int]] = []

    def handler(batch: list[int]) -> int:
        calls.append(batch)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batches([1, 2, 3], handler, batch_size=2, retries=3)
    assert_same(calls, [[1, 2]])


# --- run_batches: its parameters --------------------------------------------------


@pytest.mark.parametrize(
    ("batch_size", "retries", "message"),
    [
        (0, 0, "batch_size must be at least 1, got 0"),
        (-2, 0, "batch_size must be at least 1, got -2"),
        (1, -1, "retries must be 0 or more, got -1"),
    ],
)
def test_bad_parameters_are_refused_before_any_item_is_read(
    batch_size: int, retries: int, message: str
) -> None:
    items = Counted([1, 2, 3])

    with pytest.raises(ValueError) as caught:
        run_batches(items, Recorder(), batch_size=batch_size, retries=retries)

    assert_same(str(caught.value), message)
    assert_same(items.drawn, 0)


def test_batch_size_is_keyword_only_and_required() -> None:
    call: Any = run_batches
    with pytest.raises(TypeError):
        call([1], Recorder(), 1)
    with pytest.raises(TypeError):
        call([1], Recorder())


def test_items_and_handler_are_positional_only() -> None:
    call: Any = run_batches
    with pytest.raises(TypeError):
        call(items=[1], handler=Recorder(), batch_size=1)


# --- make_job, Job.run and describe -----------------------------------------------


def test_a_job_calls_its_function_with_its_arguments() -> None:
    job = make_job("power", pow, 2, 10)

    assert_same(job.run(), 1024)
    assert_same(job.name, "power")
    assert job.func is pow
    assert_same(job.args, (2, 10))
    assert_same(job.kwargs, {})


def test_a_job_forwards_keyword_arguments() -> None:
    def resize(path: str, *, width: int, height: int = 0) -> str:
        return f"{path}:{width}x{height}"

    job = make_job("resize", resize, "a.png", width=640, height=480)

    assert_same(job.run(), "a.png:640x480")
    assert_same(job.args, ("a.png",))
    assert_same(job.kwargs, {"width": 640, "height": 480})


@pytest.mark.weight(2)
def test_keywords_called_name_and_func_go_to_the_function() -> None:
    job = make_job("build", dict, name="web", func="compile")

    assert_same(job.name, "build")
    assert job.func is dict
    assert_same(job.run(), {"name": "web", "func": "compile"})


def test_a_job_calls_its_function_each_time_it_runs() -> None:
    calls: list[tuple[object, ...]] = []

    def record(*args: object) -> int:
        calls.append(args)
        return len(calls)

    job = make_job("record", record, "x")

    assert_same([job.run(), job.run()], [1, 2])
    assert_same(calls, [("x",), ("x",)])


@pytest.mark.parametrize(
    ("job", "expected"),
    [
        (make_job("resize", print, "a.png", width=640, keep_ratio=True), "resize('a.png', width=640, keep_ratio=True)"),
        (make_job("cleanup", print), "cleanup()"),
        (make_job("copy", print, "src", "dst"), "copy('src', 'dst')"),
        (make_job("notify", print, to="ops", retries=None), "notify(to='ops', retries=None)"),
        (make_job("quote", print, 'it\'s "x"'), "quote('it\\'s \"x\"')"),
    ],
)
def test_describe_writes_the_job_as_a_call(job: Job, expected: str) -> None:
    assert_same(describe(job), expected)


# --- order_jobs ---------------------------------------------------------------------


def names(jobs: list[Job]) -> list[str]:
    return [job.name for job in jobs]


@pytest.mark.weight(2)
def test_jobs_are_ordered_by_priority_then_name() -> None:
    jobs = [make_job(name, print) for name in ["report", "backup", "index", "alert", "zip"]]

    ordered = order_jobs(jobs, {"alert": 10, "index": 5, "zip": -1, "backup": 5})

    assert_same(names(ordered), ["alert", "backup", "index", "report", "zip"])


def test_without_priorities_jobs_are_ordered_by_name() -> None:
    jobs = [make_job(name, print) for name in ["b", "c", "a"]]

    assert_same(names(order_jobs(jobs)), ["a", "b", "c"])
    assert_same(names(order_jobs(jobs, None)), ["a", "b", "c"])


def test_jobs_that_tie_keep_their_order() -> None:
    first, second, other = make_job("sync", print, 1), make_job("sync", print, 2), make_job("ab", print)

    ordered = order_jobs([first, second, other], {"sync": 1})

    assert [id(job) for job in ordered] == [id(first), id(second), id(other)]


def test_order_jobs_returns_a_new_list_and_reads_any_iterable() -> None:
    jobs = [make_job("b", print), make_job("a", print)]

    ordered = order_jobs(iter(jobs), {})

    assert_same(names(ordered), ["a", "b"])
    assert_same(names(jobs), ["b", "a"], "the caller's list is left as it was")


# --- make_counter -------------------------------------------------------------------


def take(counter: Callable[[], int], n: int) -> list[int]:
    return [counter() for _ in range(n)]


def test_a_counter_starts_at_zero_and_counts_by_one() -> None:
    assert_same(take(make_counter(), 4), [0, 1, 2, 3])


def test_a_counter_starts_and_steps_where_it_is_told() -> None:
    assert_same(take(make_counter(10, step=5), 3), [10, 15, 20])
    assert_same(take(make_counter(3, step=-2), 3), [3, 1, -1])
    assert_same(take(make_counter(step=3), 3), [0, 3, 6])
    assert_same(take(make_counter(7), 2), [7, 8])


@pytest.mark.weight(2)
def test_counters_count_on_their_own() -> None:
    jobs, retries = make_counter(), make_counter(100)

    seen = [jobs(), retries(), jobs(), jobs(), retries()]

    assert_same(seen, [0, 100, 1, 2, 101])


def test_step_is_keyword_only_and_not_zero() -> None:
    call: Any = make_counter
    with pytest.raises(TypeError):
        call(0, 2)
    with pytest.raises(ValueError):
        make_counter(5, step=0)
