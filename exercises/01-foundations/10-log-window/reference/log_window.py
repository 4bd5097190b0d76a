"""Cut a time window out of a log: the lines whose timestamps fall between two moments, given
as times or as a duration back from now, shown in the time zone the reader wants."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

logger = logging.getLogger("log_window")

DURATION = re.compile(r"(?:[0-9]+[dhms])+")
DURATION_PART = re.compile(r"([0-9]+)([dhms])")
UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
OFFSET = re.compile(r"([+-])([0-9]{2}):([0-9]{2})")


@dataclass(frozen=True)
class Entry:
    """A log line: when, and what."""

    time: datetime
    message: str


def parse_duration(text: str) -> timedelta:
    """``15m``, ``2h``, ``1h30m``, ``1d``, ``45s``: a positive duration."""
    if not DURATION.fullmatch(text):
        raise ValueError(f"not a duration: {text!r}")
    duration = timedelta()
    for amount, unit in DURATION_PART.findall(text):
        duration += timedelta(**{UNITS[unit]: int(amount)})
    if duration <= timedelta():
        raise ValueError(f"duration must be positive: {text!r}")
    return duration


def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 time with a UTC offset (``Z`` counts as one)."""
    moment = datetime.fromisoformat(text)
    if moment.utcoffset() is None:
        raise ValueError(f"time has no UTC offset: {text!r}")
    return moment


def parse_offset(text: str) -> timezone:
    """``Z``, ``UTC`` or ``+HH:MM``/``-HH:MM`` as a time zone."""
    if text in ("Z", "UTC"):
        return timezone.utc
    match = OFFSET.fullmatch(text)
    if match is None or int(match.group(3)) > 59:
        raise ValueError(f"not a UTC offset: {text!r}")
    sign = -1 if match.group(1) == "-" else 1
    # timezone() itself refuses an offset of 24 hours or more with a ValueError.
    return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


def select(
    lines: Iterable[str], start: datetime, end: datetime, *, stop_after_end: bool = False
) -> tuple[list[Entry], int]:
    """The entries from ``start`` to ``end`` (both included), and how many lines were malformed.

    With ``stop_after_end``, the lines are known to be in time order, and reading stops at the
    first entry after ``end``."""
    if start.utcoffset() is None or end.utcoffset() is None:
        raise ValueError("start and end need a UTC offset")
    entries: list[Entry] = []
    malformed = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        stamp, _, message = line.strip().partition(" ")
        try:
            moment = parse_timestamp(stamp)
        except ValueError:
            malformed += 1
            logger.debug("line %d: no timestamp, skipped", number)
            continue
        if moment > end:
            if stop_after_end:
                break
            continue
        if moment >= start:
            entries.append(Entry(moment, message.strip()))
    return entries, malformed


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Print the log lines of a time window.")
    first = parser.add_mutually_exclusive_group(required=True)
    first.add_argument("--from", dest="start", metavar="TIME", help="start of the window")
    first.add_argument("--since", metavar="DURATION", help="start of the window, before now")
    parser.add_argument("--until", metavar="TIME", help="end of the window (default: now)")
    parser.add_argument("--now", metavar="TIME", help="the current time (default: the clock)")
    parser.add_argument("--tz", metavar="OFFSET", default=os.environ.get("LOG_WINDOW_TZ"),
                        help="show times at this UTC offset (default: $LOG_WINDOW_TZ)")
    parser.add_argument("--sorted", action="store_true", help="the log is in time order")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Read a log from standard input and print the entries of the window; see the README."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        now = parse_timestamp(args.now) if args.now else datetime.now(timezone.utc)
        start = parse_timestamp(args.start) if args.start else now - parse_duration(args.since)
        end = parse_timestamp(args.until) if args.until else now
        zone = parse_offset(args.tz) if args.tz else None
    except ValueError as error:
        parser.error(str(error))
    if start > end:
        parser.error("the window ends before it starts")
    entries, malformed = select(sys.stdin, start, end, stop_after_end=args.sorted)
    for entry in entries:
        moment = entry.time.astimezone(zone) if zone else entry.time
        print(f"{moment.isoformat()} {entry.message}".rstrip())
    if malformed:
        logger.warning("skipped %d malformed line%s", malformed, "" if malformed == 1 else "s")
    return 0 if entries else 1


if __name__ == "__main__":
    sys.exit(main())
