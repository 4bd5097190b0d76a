"""Structured logging: one JSON object per line, with bound context and safe values.

Configure it once at start-up::

    logging.config.dictConfig(logging_config(level="INFO", loggers={"app.db": "DEBUG"}))

and every record comes out as a line such as::

    {"timestamp": "2024-05-01T12:00:00.250+00:00", "level": "INFO", "logger": "app",
     "message": "paid", "request_id": "r-7", "amount": 30}
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any, TextIO

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
STANDARD_KEYS = ("timestamp", "level", "logger", "message", "exception")
RENAMED_PREFIX = "field_"

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))) | {
    "message",
    "asctime",
}

# The fields bound in this thread or task; a new thread starts with none.
_bound: ContextVar[Mapping[str, object]] = ContextVar(
    "json_log_bound", default=MappingProxyType({})
)


@contextmanager
def bind(**fields: object) -> Iterator[None]:
    """Add ``fields`` to every record logged inside the block, in this thread or task.

    Blocks nest: an inner block adds to the outer one's fields and wins on a shared name.
    Leaving the block, even by an exception, restores the fields as they were.
    """
    token = _bound.set(MappingProxyType({**_bound.get(), **fields}))
    try:
        yield
    finally:
        _bound.reset(token)


def bound_fields() -> dict[str, object]:
    """Return a copy of the fields bound here and now."""
    return dict(_bound.get())


def safe(value: object) -> object:
    """Return ``value`` as something ``json.dumps`` writes as valid JSON, never raising."""
    return _safe(value, frozenset())


def _safe(value: object, seen: frozenset[int]) -> object:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        if id(value) in seen:
            return "<cycle>"
        inner = seen | {id(value)}
        if isinstance(value, dict):
            return {_key(key): _safe(item, inner) for key, item in value.items()}
        items = [_safe(item, inner) for item in value]
        return _sorted(items) if isinstance(value, (set, frozenset)) else items
    return _text(value)


def _sorted(items: list[Any]) -> list[Any]:
    try:
        return sorted(items)
    except TypeError:  # items of kinds that do not compare, such as 1 and "a"
        return sorted(items, key=repr)


def _key(key: object) -> str:
    return key if isinstance(key, str) else _text(key)


def _text(value: object) -> str:
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a log line must never fail because of a value
        return f"<unprintable {type(value).__name__}>"


def _type_name(kind: type[BaseException]) -> str:
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


class JsonFormatter(logging.Formatter):
    """Format each record as one line of JSON.

    Keys, in order: ``timestamp``, ``level``, ``logger``, ``message``, the bound fields,
    the ``extra=`` fields, and ``exception`` for a record with exception info. A field
    named like one of the standard keys is written as ``field_<name>``.
    """

    def format(self, record: logging.LogRecord) -> str:
        created = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        payload: dict[str, object] = {
            "timestamp": created.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        extras = {key: value for key, value in vars(record).items() if key not in _RECORD_ATTRS}
        for fields in (_bound.get(), extras):
            for name, value in fields.items():
                key = RENAMED_PREFIX + name if name in STANDARD_KEYS else name
                payload[key] = safe(value)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            payload["exception"] = {
                "type": _type_name(type(error)),
                "message": _text(error),
                "traceback": self.formatException(record.exc_info),
            }
        return json.dumps(payload)


def logging_config(
    level: str = "INFO",
    loggers: Mapping[str, str] | None = None,
    stream: TextIO | str = "ext://sys.stderr",
) -> dict[str, Any]:
    """Return a ``logging.config.dictConfig`` configuration that logs JSON to ``stream``.

    ``level`` is the root logger's level and ``loggers`` maps logger names to their own
    levels (names in any case). Loggers that exist already keep working.

    Raises:
        ValueError: for a level that is not one of LEVELS, naming the logger.
    """
    root_level = _level("root", level)
    levels = {name: _level(name, name_level) for name, name_level in (loggers or {}).items()}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": stream}
        },
        "root": {"level": root_level, "handlers": ["console"]},
        "loggers": {name: {"level": name_level} for name, name_level in levels.items()},
    }


def _level(logger: str, level: str) -> str:
    name = str(level).upper()
    if name not in LEVELS:
        raise ValueError(
            f"logger {logger!r}: unknown level {level!r} (use {', '.join(LEVELS)})"
        )
    return name
