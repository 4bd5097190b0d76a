"""Export a CSV stream of service events as JSON Lines, one event at a time.

Run as a program, it reads CSV from standard input, writes the selected events to
standard output as JSON Lines and a one-line summary to standard error.
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
    """One row of the CSV stream."""

    time: str
    service: str
    level: str
    latency_ms: int
    message: str


class ExportSummary(NamedTuple):
    """What one export did: rows read, events written, and a running summary of those."""

    read: int
    exported: int
    by_level: dict[str, int]
    max_latency_ms: int | None


def level_rank(level: str) -> int:
    """Return the position of ``level`` in LEVELS; ValueError for an unknown level."""
    try:
        return LEVELS.index(level)
    except ValueError:
        raise ValueError(f"unknown level {level!r}") from None


def read_events(lines: Iterable[str]) -> Iterator[Event]:
    """Yield an Event for each data row of the CSV text in ``lines``, one row at a time.

    The first row is the header. It must name every column of COLUMNS, in any order;
    other columns are ignored. Blank lines are skipped. A bad row raises ValueError
    naming its line (the header is line 1) when the generator reaches it.
    """
    reader = csv.DictReader(lines)
    if reader.fieldnames is None:
        return
    missing = [column for column in COLUMNS if column not in reader.fieldnames]
    if missing:
        raise ValueError(f"line 1: missing column(s): {', '.join(missing)}")
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
        yield Event(row["time"], row["service"], level, int(latency), row["message"])


def _selected(event: Event, threshold: int, services: Collection[str] | None) -> bool:
    return LEVELS.index(event.level) >= threshold and (
        services is None or event.service in services
    )


def select(
    events: Iterable[Event],
    min_level: str = "INFO",
    services: Collection[str] | None = None,
) -> Iterator[Event]:
    """Lazily keep the events at ``min_level`` or above, of ``services`` if given.

    An unknown ``min_level`` raises ValueError at once, before any event is read.
    """
    threshold = level_rank(min_level)
    return (event for event in events if _selected(event, threshold, services))


def to_json_line(event: Event) -> str:
    """Return ``event`` as one line of JSON, its fields in order, without a newline."""
    return json.dumps(event._asdict())


def export(
    lines: Iterable[str],
    out: Writer,
    min_level: str = "INFO",
    services: Collection[str] | None = None,
) -> ExportSummary:
    """Write the selected events of the CSV ``lines`` to ``out``, one JSON line each.

    Each line is written as soon as its row is read, and only running totals are
    kept, so memory use does not grow with the input.
    """
    threshold = level_rank(min_level)
    read = exported = 0
    by_level: dict[str, int] = {}
    max_latency: int | None = None
    for event in read_events(lines):
        read += 1
        if not _selected(event, threshold, services):
            continue
        out.write(to_json_line(event) + "\n")
        exported += 1
        by_level[event.level] = by_level.get(event.level, 0) + 1
        if max_latency is None or event.latency_ms > max_latency:
            max_latency = event.latency_ms
    return ExportSummary(read, exported, by_level, max_latency)


def describe(summary: ExportSummary) -> str:
    """One line for people: ``read 6, exported 3 (WARNING 2, ERROR 1), slowest 950 ms``."""
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
    repeated. A bad row ends the export with ``error: <message>`` and exit status 1.
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
