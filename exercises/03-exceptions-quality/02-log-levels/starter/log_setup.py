"""Configure the standard `logging` module from a small dict: levels, JSON lines, two streams.

Run as a program, it reads a JSON config on its first line of standard input,
then logs one JSON event per line: {"logger": ..., "level": ..., "message": ...}.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Mapping
from datetime import datetime, timezone

Clock = Callable[[], datetime]

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"


def utc_now() -> datetime:
    """The current time in UTC: the clock used outside of tests."""
    return datetime.now(timezone.utc)


def parse_level(logger: str, level: object) -> int:
    """Return the number of the level named ``level``, in any case (``"info"`` is 20).

    Only the five names of LEVELS are levels. For anything else (``"WARN"``,
    ``"LOUD"``, ``20``, ``None``) raise ValueError with exactly this message::

        logger 'app.db': unknown level 'LOUD' (use DEBUG, INFO, WARNING, ERROR or CRITICAL)

    where ``'app.db'`` is ``repr(logger)`` and ``'LOUD'`` is ``repr(level)``.
    """
    raise NotImplementedError


class JsonFormatter(logging.Formatter):
    """One JSON object per record, with these keys in this order:

    - ``time``: ``clock().isoformat(timespec="milliseconds")``, left out when
      ``include_time`` is false (the clock is then never read);
    - ``level``: the level's name, e.g. ``"INFO"``;
    - ``logger``: the logger's name;
    - ``message``: the message with its %-arguments filled in;
    - ``exception``: only for a record with exception info, the formatted
      traceback (``self.formatException``).

    Written with ``json.dumps`` and its default settings.
    """

    def __init__(self, clock: Clock = utc_now, *, include_time: bool = True) -> None:
        raise NotImplementedError

    def format(self, record: logging.LogRecord) -> str:
        raise NotImplementedError


def configure(config: Mapping[str, object], *, clock: Clock = utc_now) -> None:
    """Set up logging from ``config``, replacing what an earlier call set up.

    ``config`` has these keys, all optional:

    - ``"level"``: the root logger's level (default ``"WARNING"``);
    - ``"loggers"``: a mapping of logger name to level, e.g.
      ``{"app": "INFO", "app.db": "WARNING"}``; other loggers get no level of
      their own, so that they inherit their parent's;
    - ``"format"``: ``"json"`` (the default: JsonFormatter with ``clock``) or
      ``"text"`` (``logging.Formatter(TEXT_FORMAT)``);
    - ``"time"``: for JSON, whether lines carry the time (default true).

    Two handlers on the root logger: records below WARNING go to
    ``sys.stdout``, WARNING and above to ``sys.stderr``.

    Calling it again replaces the handlers it added before (and no others),
    and a logger left out of the new ``"loggers"`` goes back to inheriting.
    An unknown key, level (see ``parse_level``; the root is ``"root"``) or
    format raises ValueError, and then nothing at all has changed.
    """
    raise NotImplementedError


def main() -> int:
    """Configure logging from the first line of standard input, then log each event line.

    Each further line is ``{"logger": ..., "level": ..., "message": ...}``;
    blank lines are skipped. A config line that is not a JSON object or that
    ``configure`` refuses, or an event line that is not such an object or
    whose level ``parse_level`` refuses, stops the program: print one line on
    standard error, ``error: <reason>`` for the config and
    ``error: line N: <reason>`` for an event (lines count from 1), and
    return 2. Otherwise return 0.
    """
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
