"""Summarise a large access log on a process pool, one chunk of lines per task.

Parsing is pure-Python work, so it is spread over processes, not threads. Each task is a
chunk of lines, sent to a worker by pickling, so the worker function is defined at module
level and its exception is one that survives pickling. Chunks finish in any order; their
summaries are merged in chunk order, so the report is the same whatever order that is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext


class LogFormatError(ValueError):
    """A line of a chunk that is not an access-log line."""

    def __init__(self, line_number: int, line: str) -> None:
        # Both arguments go to Exception.__init__: an exception is pickled as its class and
        # its args, so one rebuilt in the parent process gets both of them back.
        super().__init__(line_number, line)
        self.line_number = line_number
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line_number}: cannot parse {self.line!r}"


@dataclass(frozen=True)
class Summary:
    """What a number of access-log lines add up to."""

    requests: int = 0
    server_errors: int = 0
    bytes_sent: int = 0
    statuses: Mapping[int, int] = field(default_factory=dict)
    slowest: tuple[int, str] | None = None  # (milliseconds, path) of the slowest request


@dataclass(frozen=True)
class ChunkFailure:
    """A chunk that could not be summarised: its index and its error, as text."""

    index: int
    error: str


@dataclass(frozen=True)
class Report:
    """The summary of every chunk that parsed, and the chunks that did not."""

    summary: Summary
    chunks: int
    failures: tuple[ChunkFailure, ...] = ()


def parse_chunk(lines: Sequence[str]) -> Summary:
    """Summarise ``lines``: ``TIMESTAMP METHOD PATH STATUS BYTES DURATIONms`` each.

    Blank lines are skipped. Raises LogFormatError, with the 1-based number of the line
    within ``lines``, for a line that does not have that form.
    """
    statuses: Counter[int] = Counter()
    requests = server_errors = bytes_sent = 0
    slowest: tuple[int, str] | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 6 or not fields[5].endswith("ms"):
            raise LogFormatError(number, line)
        _, _, path, status_text, size_text, duration_text = fields
        try:
            status, size, duration = int(status_text), int(size_text), int(duration_text[:-2])
        except ValueError:
            raise LogFormatError(number, line) from None
        requests += 1
        server_errors += status >= 500
        bytes_sent += size
        statuses[status] += 1
        if slowest is None or duration > slowest[0]:
            slowest = (duration, path)
    return Summary(requests, server_errors, bytes_sent, dict(statuses), slowest)


def merge(summaries: Iterable[Summary]) -> Summary:
    """Add ``summaries`` up. Of requests equally slow, the first one in ``summaries`` wins."""
    statuses: Counter[int] = Counter()
    requests = server_errors = bytes_sent = 0
    slowest: tuple[int, str] | None = None
    for summary in summaries:
        requests += summary.requests
        server_errors += summary.server_errors
        bytes_sent += summary.bytes_sent
        statuses.update(summary.statuses)
        if summary.slowest is not None and (slowest is None or summary.slowest[0] > slowest[0]):
            slowest = summary.slowest
    return Summary(requests, server_errors, bytes_sent, dict(statuses), slowest)


def split_chunks(lines: Sequence[str], size: int) -> list[Sequence[str]]:
    """Cut ``lines`` into chunks of ``size`` consecutive lines; the last may be shorter."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    return [lines[start : start + size] for start in range(0, len(lines), size)]


def build_report(
    lines: Sequence[str],
    *,
    chunk_size: int = 10_000,
    max_workers: int = 2,
    parse: Callable[[Sequence[str]], Summary] = parse_chunk,
    mp_context: BaseContext | None = None,
) -> Report:
    """Summarise ``lines`` with ``parse`` on a pool of ``max_workers`` processes.

    Every chunk of ``chunk_size`` lines is one task. A chunk whose ``parse`` raises is
    reported in ``failures`` (by index, in index order) and left out of the summary; the
    other chunks still count. Raises ValueError if ``chunk_size`` or ``max_workers`` is
    less than 1.
    """
    if max_workers < 1:
        raise ValueError(f"max_workers must be at least 1, not {max_workers}")
    chunks = split_chunks(lines, chunk_size)
    summaries: dict[int, Summary] = {}
    failures: list[ChunkFailure] = []
    with ProcessPoolExecutor(max_workers=max_workers, mp_context=mp_context) as pool:
        futures: dict[Future[Summary], int] = {
            pool.submit(parse, chunk): index for index, chunk in enumerate(chunks)
        }
        for future in as_completed(futures):
            index = futures[future]
            try:
                summaries[index] = future.result()
            except Exception as error:
                failures.append(ChunkFailure(index, f"{type(error).__name__}: {error}"))
    merged = merge(summaries[index] for index in sorted(summaries))
    return Report(merged, len(chunks), tuple(sorted(failures, key=lambda failure: failure.index)))
