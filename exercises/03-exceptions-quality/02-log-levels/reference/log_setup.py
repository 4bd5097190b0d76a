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
from typing import TextIO

Clock = Callable[[], datetime]

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
CONFIG_KEYS = frozenset({"level", "loggers", "format", "time"})
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"

# Our handlers carry these names, so that configuring again replaces them and no others.
STDOUT_HANDLER = "log_setup.stdout"
STDERR_HANDLER = "log_setup.stderr"

# The loggers the last configure() gave a level, to hand back to their parents next time.
_configured_loggers: set[str] = set()


def utc_now() -> datetime:
    """The current time in UTC: the clock used outside of tests."""
    return datetime.now(timezone.utc)


def parse_level(logger: str, level: object) -> int:
    """Return the number of the level named ``level`` (any case) for ``logger``.

    Raises ValueError, naming the logger and the level, for anything but the
    five standard names.
    """
    if isinstance(level, str) and level.upper() in LEVELS:
        return logging.getLevelNamesMapping()[level.upper()]
    raise ValueError(
        f"logger {logger!r}: unknown level {level!r} (use DEBUG, INFO, WARNING, ERROR or CRITICAL)"
    )


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (unless left out), ``level``, ``logger``, ``message``.

    The time comes from ``clock``, so that tests can fix it. A record with
    exception info also gets ``exception``, the formatted traceback.
    """

    def __init__(self, clock: Clock = utc_now, *, include_time: bool = True) -> None:
        super().__init__()
        self._clock = clock
        self._include_time = include_time

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, str] = {}
        if self._include_time:
            payload["time"] = self._clock().isoformat(timespec="milliseconds")
        payload["level"] = record.levelname
        payload["logger"] = record.name
        payload["message"] = record.getMessage()
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload)


def _below_warning(record: logging.LogRecord) -> bool:
    return record.levelno < logging.WARNING


def _handler(name: str, stream: TextIO, formatter: logging.Formatter) -> logging.StreamHandler[TextIO]:
    handler = logging.StreamHandler(stream)
    handler.set_name(name)
    handler.setFormatter(formatter)
    return handler


def _formatter(config: Mapping[str, object], clock: Clock) -> logging.Formatter:
    include_time = config.get("time", True)
    if not isinstance(include_time, bool):
        raise ValueError(f"'time' must be true or false, not {include_time!r}")
    style = config.get("format", "json")
    if style == "json":
        return JsonFormatter(clock, include_time=include_time)
    if style == "text":
        return logging.Formatter(TEXT_FORMAT)
    raise ValueError(f"unknown format {style!r} (use 'json' or 'text')")


def configure(config: Mapping[str, object], *, clock: Clock = utc_now) -> None:
    """Set up logging from ``config``, replacing what an earlier call set up.

    ``config`` has optional keys: ``level`` (the root's, default WARNING),
    ``loggers`` (logger name to level), ``format`` (``"json"``, the default, or
    ``"text"``) and ``time`` (JSON only; default true). Records below WARNING
    go to standard output, the others to standard error.

    Raises ValueError for an unknown key, level or format, and then changes
    nothing.
    """
    unknown = sorted(set(config) - CONFIG_KEYS)
    if unknown:
        raise ValueError(f"unknown config keys: {', '.join(unknown)}")
    root_level = parse_level("root", config.get("level", "WARNING"))
    loggers = config.get("loggers", {})
    if not isinstance(loggers, Mapping):
        raise ValueError("'loggers' must map logger names to levels")
    levels = {str(name): parse_level(str(name), level) for name, level in loggers.items()}
    formatter = _formatter(config, clock)

    # Everything is valid: only now replace the previous configuration.
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.name in (STDOUT_HANDLER, STDERR_HANDLER):
            root.removeHandler(handler)
            handler.close()
    for name in _configured_loggers:
        logging.getLogger(name).setLevel(logging.NOTSET)
    _configured_loggers.clear()

    root.setLevel(root_level)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
        _configured_loggers.add(name)

    to_stdout = _handler(STDOUT_HANDLER, sys.stdout, formatter)
    to_stdout.addFilter(_below_warning)
    to_stderr = _handler(STDERR_HANDLER, sys.stderr, formatter)
    to_stderr.setLevel(logging.WARNING)
    root.addHandler(to_stdout)
    root.addHandler(to_stderr)


def _parse_event(line: str) -> tuple[str, int, str]:
    """The logger, level and message of one event line; ValueError if it is not one."""
    event = json.loads(line)
    if not isinstance(event, dict):
        raise ValueError("an event must be a JSON object")
    logger, message = event.get("logger"), event.get("message")
    if not isinstance(logger, str) or not isinstance(message, str):
        raise ValueError("an event needs a string 'logger' and a string 'message'")
    return logger, parse_level(logger, event.get("level")), message


def main() -> int:
    """Configure logging from the first line of standard input, then log each event line.

    A bad config or event is reported on standard error as one line,
    ``error: <reason>`` (``error: line N: <reason>`` for an event), and the
    exit status is then 2.
    """
    lines = iter(sys.stdin)
    try:
        config = json.loads(next(lines, "null"))
        if not isinstance(config, dict):
            raise ValueError("the first line must be a JSON object: the config")
        configure(config)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for number, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        try:
            logger, level, message = _parse_event(line)
        except ValueError as err:
            print(f"error: line {number}: {err}", file=sys.stderr)
            return 2
        logging.getLogger(logger).log(level, message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
