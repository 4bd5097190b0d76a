"""Summarise a large access log on a process pool, one chunk of lines per task.

``Summary``, ``ChunkFailure`` and ``Report`` are given; write the rest. A pool sends each task
to a worker by pickling it, and sends the worker's result or exception back the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext


class LogFormatError(ValueError):
    """A line of a chunk that is not an access-log line."""

    def __init__(self, line_number: int, line: str) -> None:
        """Store both as attributes of the same names.

        ``str(error)`` is exactly ``line 3: cannot parse 'garbage'``, and the error must
        survive pickling (``pickle.loads(pickle.dumps(error))``) with both attributes.
        """
        raise NotImplementedError


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
    raise NotImplementedError


def merge(summaries: Iterable[Summary]) -> Summary:
    """Add ``summaries`` up. Of requests equally slow, the first one in ``summaries`` wins."""
    raise NotImplementedError


def split_chunks(lines: Sequence[str], size: int) -> list[Sequence[str]]:
    """Cut ``lines`` into chunks of ``size`` consecutive lines; the last may be shorter."""
    raise NotImplementedError


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
    raise NotImplementedError
