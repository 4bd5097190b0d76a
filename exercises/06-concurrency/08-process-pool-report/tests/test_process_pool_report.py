"""Tests for log_report.

A pool pickles the function it runs by name, so every `parse` handed to `build_report` here
is defined at module level. Tests that need two workers at once, or chunks that finish out of
order, pass `mp_context=FORK`: the workers are then forked from this process and share the
barrier or event a test made before the pool started. Every wait has a timeout, so code that
never gets there fails instead of hanging. No test depends on how fast anything runs.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Iterator, Sequence
from multiprocessing.context import ForkContext, ForkProcess
from multiprocessing.synchronize import Barrier, Event

import pytest
from pygrade_graders.compare import assert_same

from log_report import (
    ChunkFailure,
    LogFormatError,
    Report,
    Summary,
    build_report,
    merge,
    parse_chunk,
    split_chunks,
)

FORK = multiprocessing.get_context("fork")
PATIENCE = 5.0

LOG = [
    "2024-05-01T12:00:00Z GET /api/orders 200 512 35ms",
    "2024-05-01T12:00:01Z POST /api/orders 201 128 120ms",
    "2024-05-01T12:00:01Z GET /api/stock 503 0 2ms",
    "",
    "2024-05-01T12:00:02Z GET /api/orders/7 404 64 8ms",
    "2024-05-01T12:00:03Z GET /health 200 2 1ms",
    "2024-05-01T12:00:03Z PUT /api/orders/7 500 0 120ms",
    "2024-05-01T12:00:04Z GET /api/stock 200 900 40ms",
]
LOG_SUMMARY = Summary(
    requests=7,
    server_errors=2,
    bytes_sent=1606,
    statuses={200: 3, 201: 1, 503: 1, 404: 1, 500: 1},
    slowest=(120, "/api/orders"),
)


def line(path: str, status: int = 200, size: int = 10, ms: int = 5) -> str:
    return f"2024-05-01T12:00:00Z GET {path} {status} {size} {ms}ms"


# --- parse functions for the pool (module level, so that it can pickle them) ---------------


def only_in_a_worker(lines: Sequence[str]) -> Summary:
    if multiprocessing.parent_process() is None:
        raise RuntimeError("parsed in the main process, not in a worker")
    return parse_chunk(lines)


_barrier: Barrier | None = None


def meet(lines: Sequence[str]) -> Summary:
    """Wait until another worker parses a chunk at the same time."""
    assert _barrier is not None
    _barrier.wait()
    return parse_chunk(lines)


def pid_summary(lines: Sequence[str]) -> Summary:
    """Meet another worker, then report this process's id as the only status seen."""
    assert _barrier is not None
    _barrier.wait()
    return Summary(statuses={os.getpid(): 1})


_last_done: Event | None = None


def first_chunk_last(lines: Sequence[str]) -> Summary:
    """The chunk holding "/first" finishes only after the chunk holding "/last" has."""
    assert _last_done is not None
    summary = parse_chunk(lines)
    if "/first" in lines[0]:
        assert _last_done.wait(PATIENCE), "the last chunk never ran"
    elif "/last" in lines[0]:
        _last_done.set()
    return summary


@pytest.fixture(autouse=True)
def reset_shared() -> Iterator[None]:
    global _barrier, _last_done
    yield
    _barrier = None
    _last_done = None


# --- parse_chunk ----------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_parse_chunk_summarises_the_lines() -> None:
    assert_same(parse_chunk(LOG), LOG_SUMMARY)


def test_parse_chunk_of_nothing_is_an_empty_summary() -> None:
    assert_same(parse_chunk([]), Summary())
    assert_same(parse_chunk(["", "   "]), Summary())


def test_the_first_of_equally_slow_requests_is_the_slowest() -> None:
    summary = parse_chunk([line("/a", ms=3), line("/b", ms=9), line("/c", ms=9), line("/d", ms=0)])

    assert_same(summary.slowest, (9, "/b"))


@pytest.mark.parametrize(
    ("bad", "number"),
    [
        ("garbage", 2),
        ("2024-05-01T12:00:00Z GET /a 200 512", 2),  # no duration
        ("2024-05-01T12:00:00Z GET /a OK 512 3ms", 2),  # status not a number
        ("2024-05-01T12:00:00Z GET /a 200 512 3s", 2),  # not milliseconds
        ("2024-05-01T12:00:00Z GET /a 200 lots 3ms", 2),
        ("2024-05-01T12:00:00Z GET /a 200 5 fastms", 2),
        ("2024-05-01T12:00:00Z GET /a 200 5 3ms extra", 2),
    ],
)
def test_parse_chunk_rejects_a_malformed_line_with_its_number(bad: str, number: int) -> None:
    with pytest.raises(LogFormatError) as caught:
        parse_chunk([line("/ok"), bad, line("/ok")])

    assert_same(caught.value.line_number, number)
    assert_same(caught.value.line, bad)
    assert_same(str(caught.value), f"line {number}: cannot parse {bad!r}")
    assert isinstance(caught.value, ValueError)


@pytest.mark.weight(2)
def test_a_log_format_error_survives_pickling() -> None:
    # A worker's exception reaches the parent process through pickle.
    error = LogFormatError(12, "garbage")

    copy = pickle.loads(pickle.dumps(error))

    assert_same((type(copy), copy.line_number, copy.line), (LogFormatError, 12, "garbage"))
    assert_same(str(copy), "line 12: cannot parse 'garbage'")


# --- merge and split_chunks -----------------------------------------------------------------


@pytest.mark.weight(2)
def test_merge_adds_summaries_up() -> None:
    parts = [parse_chunk(LOG[:3]), Summary(), parse_chunk(LOG[3:6]), parse_chunk(LOG[6:])]

    assert_same(merge(parts), LOG_SUMMARY)


def test_merge_of_nothing_is_an_empty_summary() -> None:
    assert_same(merge([]), Summary())


def test_merge_keeps_the_first_of_equally_slow_requests() -> None:
    parts = [
        Summary(1, 0, 1, {200: 1}, (4, "/a")),
        Summary(),
        Summary(1, 0, 1, {200: 1}, (7, "/b")),
        Summary(1, 0, 1, {200: 1}, (7, "/c")),
    ]

    assert_same(merge(parts).slowest, (7, "/b"))
    assert_same(merge(reversed(parts)).slowest, (7, "/c"))


def test_merge_leaves_its_inputs_alone() -> None:
    first = Summary(1, 0, 5, {200: 1}, (1, "/a"))

    merge([first, Summary(1, 1, 5, {200: 2, 500: 1}, (2, "/b"))])

    assert_same(first.statuses, {200: 1})


@pytest.mark.parametrize(
    ("size", "lengths"),
    [(1, [1] * 7), (3, [3, 3, 1]), (7, [7]), (100, [7])],
)
def test_split_chunks_cuts_consecutive_lines(size: int, lengths: list[int]) -> None:
    lines = [f"line {n}" for n in range(7)]

    chunks = split_chunks(lines, size)

    assert_same([len(chunk) for chunk in chunks], lengths)
    assert_same([text for chunk in chunks for text in chunk], lines)


@pytest.mark.parametrize("size", [0, -2])
def test_split_chunks_rejects_a_size_below_one(size: int) -> None:
    with pytest.raises(ValueError):
        split_chunks(["a"], size)


# --- build_report ---------------------------------------------------------------------------


@pytest.mark.weight(2)
@pytest.mark.parametrize("chunk_size", [1, 3, 8, 100])
def test_build_report_summarises_every_chunk(chunk_size: int) -> None:
    report = build_report(LOG, chunk_size=chunk_size, max_workers=2)

    assert_same(report, Report(LOG_SUMMARY, len(split_chunks(LOG, chunk_size)), ()))


def test_build_report_of_no_lines() -> None:
    assert_same(build_report([], chunk_size=5), Report(Summary(), 0, ()))


def test_build_report_parses_in_worker_processes() -> None:
    report = build_report(LOG, chunk_size=2, parse=only_in_a_worker)

    assert_same(report.failures, ())
    assert_same(report.summary, LOG_SUMMARY)


@pytest.mark.weight(2)
def test_build_report_runs_max_workers_chunks_at_once() -> None:
    global _barrier
    _barrier = FORK.Barrier(2, timeout=PATIENCE)

    report = build_report(LOG, chunk_size=2, max_workers=2, parse=meet, mp_context=FORK)

    assert_same(report, Report(LOG_SUMMARY, 4, ()))


@pytest.mark.weight(3)
def test_build_report_merges_in_chunk_order_whatever_order_chunks_finish() -> None:
    global _last_done
    _last_done = FORK.Event()
    # Every request is as slow as the others: the slowest is the first one of the log.
    lines = [line("/first", ms=50)] + [line(f"/mid{n}", ms=50) for n in range(4)] + [line("/last", ms=50)]

    report = build_report(lines, chunk_size=1, max_workers=2, parse=first_chunk_last, mp_context=FORK)

    assert_same(report.summary.slowest, (50, "/first"))
    assert_same(report.summary.requests, 6)


@pytest.mark.weight(3)
def test_a_failing_chunk_is_reported_by_index_and_the_others_still_count() -> None:
    lines = [line("/a", size=1), line("/b", size=2), line("/c", size=4), "garbage", line("/d", size=8)]

    report = build_report(lines, chunk_size=2, max_workers=2)

    assert_same(report.chunks, 3)
    assert_same(report.failures, (ChunkFailure(1, "LogFormatError: line 2: cannot parse 'garbage'"),))
    assert_same(report.summary, merge([parse_chunk(lines[:2]), parse_chunk(lines[4:])]))


@pytest.mark.weight(2)
def test_failures_are_listed_in_index_order() -> None:
    lines = [line(f"/{n}") if n % 3 else f"bad {n}" for n in range(12)]

    report = build_report(lines, chunk_size=2, max_workers=2)

    assert_same([failure.index for failure in report.failures], [0, 1, 3, 4])
    assert_same(report.summary.requests, 4)


@pytest.mark.weight(2)
@pytest.mark.parametrize("broken", [False, True], ids=["parses", "fails"])
def test_no_worker_process_outlives_build_report(broken: bool) -> None:
    build_report(LOG + (["garbage"] if broken else []), chunk_size=3, max_workers=2)

    assert_same(multiprocessing.active_children(), [])


@pytest.mark.parametrize(("chunk_size", "max_workers"), [(0, 2), (5, 0), (-1, 1)])
def test_build_report_rejects_sizes_below_one(chunk_size: int, max_workers: int) -> None:
    with pytest.raises(ValueError):
        build_report(LOG, chunk_size=chunk_size, max_workers=max_workers)


def test_build_report_accepts_one_worker() -> None:
    assert_same(build_report(LOG, chunk_size=3, max_workers=1), Report(LOG_SUMMARY, 3, ()))


def test_the_default_chunk_is_ten_thousand_lines() -> None:
    lines = [line(f"/{n % 7}") for n in range(10_001)]

    report = build_report(lines)

    assert_same((report.chunks, report.summary.requests), (2, 10_001))


@pytest.mark.weight(2)
def test_the_default_pool_has_two_workers() -> None:
    global _barrier
    _barrier = FORK.Barrier(2, timeout=PATIENCE)

    report = build_report([line(f"/{n}") for n in range(16)], chunk_size=1, parse=pid_summary, mp_context=FORK)

    workers = set(report.summary.statuses)
    assert_same(len(workers), 2, "worker processes that parsed chunks")
    assert_same(sum(report.summary.statuses.values()), 16)
    assert os.getpid() not in workers


@pytest.mark.weight(2)
def test_build_report_starts_its_workers_with_mp_context() -> None:
    started: list[int | None] = []

    class CountedProcess(ForkProcess):
        def start(self) -> None:
            super().start()
            started.append(self.pid)

    class CountingContext(ForkContext):
        Process = CountedProcess

    report = build_report(LOG, chunk_size=2, max_workers=2, mp_context=CountingContext())

    assert_same(report, Report(LOG_SUMMARY, 4, ()))
    assert_same(len(started), 2, "worker processes started through mp_context")
