"""Cut a time window out of a log: the lines whose timestamps fall between two moments, given
as times or as a duration back from now, shown in the time zone the reader wants."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

logger = logging.getLogger("log_window")


@dataclass(frozen=True)
class Entry:
    """A log line: when, and what."""

    time: datetime
    message: str


def parse_duration(text: str) -> timedelta:
    """``15m``, ``2h``, ``1h30m``, ``1d``, ``45s``: one or more amounts, each digits and one of
    the units d, h, m, s. Anything else, or a total of zero, raises ValueError."""
    raise NotImplementedError


def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 time that ``datetime.fromisoformat`` reads and that has a UTC offset (``Z``
    counts as one). Anything else raises ValueError."""
    raise NotImplementedError


def parse_offset(text: str) -> timezone:
    """``Z`` or ``UTC``, or ``+HH:MM`` / ``-HH:MM`` (hours 00-23, minutes 00-59), as a time
    zone. Anything else raises ValueError."""
    raise NotImplementedError


def select(
    lines: Iterable[str], start: datetime, end: datetime, *, stop_after_end: bool = False
) -> tuple[list[Entry], int]:
    """The entries from ``start`` to ``end`` (both included), in the order of the lines, and
    how many lines were malformed; see the README."""
    raise NotImplementedError


def main(argv: Sequence[str] | None = None) -> int:
    """Read a log from standard input and print the entries of the window; see the README."""
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
