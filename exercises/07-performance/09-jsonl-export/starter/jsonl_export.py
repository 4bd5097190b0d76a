"""Export a CSV stream of service events as JSON Lines.

Run as a program, it reads CSV from standard input, writes the selected events to
standard output as JSON Lines and a one-line summary to standard error.

This version gives the right answers, but it is EAGER: it reads the whole input
into a list, builds a list of events, a list of the selected ones and a list of
their JSON lines, and writes them all at the end. A day of events from a busy
service does not fit in the memory of the machine that exports it, and nothing
reaches the output until everything has been read.

Make it STREAM: each row is read, turned into an event, filtered and written
before the next row is read, and the summary is kept as running totals.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import NamedTuple, Protocol

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
COLUMNS = ("time", "service", "level", "latency_ms", "message")


class Writer(Protocol):
    """Anything with a ``write(str)`` method: a text file, ``sys.stdout``, ``io.StringIO``."""

    def write(self, text: str, /) -> object: ...


class Event(NamedTuple):
    """One row of the CSV stream. (Already complete.)"""

    time: str
    service: str
    level: str
    latency_ms: int
    message: str


class ExportSummary(NamedTuple):
    """What one export did. (Already complete.)

    ``read`` counts the data rows read, ``exported`` the events written. ``by_level``
    is a plain dict: how many events of each level were written (levels with none
    are left out). ``max_latency_ms`` is the largest latency written, None if none.
    """

    read: int
    exported: int
    by_level: dict[str, int]
    max_latency_ms: int | None


def level_rank(level: str) -> int:
    """Return the position of ``level`` in LEVELS; ValueError for an unknown level.

    The message is ``unknown level 'LOUD'``.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    return LEVELS.index(level)


def read_events(lines: Iterable[str]) -> Iterator[Event]:
    """Yield an Event for each data row of the CSV text in ``lines``, one row at a time.

    The first row is the header. It must name every column of COLUMNS, in any order;
    other columns are ignored. An input with no lines at all has no events. Blank
    lines are skipped. These raise ValueError, naming the line (the header is line
    1, and ``csv.DictReader.line_num`` counts the lines read), when the generator
    reaches them:

    - ``line 1: missing column(s): level, message``
    - ``line 4: expected 5 fields`` (a row with fewer or more fields than the header)
    - ``line 4: unknown level 'LOUD'`` (a level not in LEVELS)
    - ``line 4: latency_ms '-3' is not a whole number`` (digits 0-9 only)
    """
    reader = csv.DictReader(list(lines))
    if reader.fieldnames is None:
        return iter([])
    missing = [column for column in COLUMNS if column not in reader.fieldnames]
    if missing:
        raise ValueError(f"line 1: missing column(s): {', '.join(missing)}")
    events: list[Event] = []
    for row in reader:
        where = f"line {reader.line_num}"
        if None in row or None in row.values():
            raise ValueError(f"{where}: expected {len(reader.fieldnames)} fields")
        level = row["level"]
        if level not in LEVELS:
            raise ValueError(f"{where}: unknown level {level!r}")
        latency = row["latency_ms"]
        if not latency.isascii() or not latency.isdigit():
            raise ValueError(f"{where}: latency_ms {latency!r} is not a whole number")
        events.append(Event(row["time"], row["service"], level, int(latency), row["message"]))
    return iter(events)


def select(
    events: Iterable[Event],
    min_level: str = "INFO",
    services: Collection[str] | None = None,
) -> Iterator[Event]:
    """Keep the events at ``min_level`` or above, of ``services`` if given, in order.

    ``services=None`` keeps every service; an empty collection keeps none. An
    unknown ``min_level`` raises ValueError at once, before any event is read.
    """
    threshold = level_rank(min_level)
    all_events = list(events)
    kept = [event for event in all_events if LEVELS.index(event.level) >= threshold]
    if services is not None:
        kept = [event for event in kept if event.service in services]
    return iter(kept)


def to_json_line(event: Event) -> str:
    """Return ``event`` as one line of JSON, its fields in order, without a newline.

    ``json.dumps`` with its default settings::

        {"time": "09:00:01", "service": "api", "level": "ERROR", "latency_ms": 950, "message": "timeout"}
    """
    return json.dumps(
        {
            "time": event.time,
            "service": event.service,
            "level": event.level,
            "latency_ms": event.latency_ms,
            "message": event.message,
        }
    )


def export(
    lines: Iterable[str],
    out: Writer,
    min_level: str = "INFO",
    services: Collection[str] | None = None,
) -> ExportSummary:
    """Write the selected events of the CSV ``lines`` to ``out``, one JSON line each.

    Each line ends with a newline. Returns the ExportSummary. An unknown
    ``min_level`` raises ValueError before anything is read; a bad row raises
    ValueError (see ``read_events``) after the lines before it have been written.
    """
    level_rank(min_level)
    events = list(read_events(lines))
    selected = list(select(events, min_level, services))
    json_lines = [to_json_line(event) + "\n" for event in selected]
    by_level: dict[str, int] = {}
    for event in selected:
        by_level[event.level] = by_level.get(event.level, 0) + 1
    latencies = [event.latency_ms for event in selected]
    out.write("".join(json_lines))
    return ExportSummary(
        len(events), len(selected), by_level, max(latencies) if latencies else None
    )


def describe(summary: ExportSummary) -> str:
    """One line for people: ``read 6, exported 3 (WARNING 2, ERROR 1), slowest 950 ms``.

    The levels are in the order of LEVELS. With nothing exported it is ``read 6,
    exported 0``. (Already complete.)
    """
    text = f"read {summary.read}, exported {summary.exported}"
    if summary.by_level:
        counts = ", ".join(
            f"{level} {summary.by_level[level]}" for level in LEVELS if level in summary.by_level
        )
        text += f" ({counts}), slowest {summary.max_latency_ms} ms"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Export standard input to standard output; the summary goes to standard error.

    Options: ``--min-level LEVEL`` (default INFO) and ``--service NAME``, which may be
    repeated. A bad row ends the export with ``error: <message>`` on standard error
    and exit status 1. (Already complete: it streams once ``export`` does.)
    """
    parser = argparse.ArgumentParser(description="Export CSV events as JSON Lines.")
    parser.add_argument("--min-level", default="INFO", choices=LEVELS)
    parser.add_argument("--service", action="append", dest="services")
    args = parser.parse_args(argv)
    try:
        summary = export(sys.stdin, sys.stdout, args.min_level, args.services)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(describe(summary), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
