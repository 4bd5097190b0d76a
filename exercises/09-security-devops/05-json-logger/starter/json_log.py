"""Structured logging: one JSON object per line, with bound context and safe values.

Configure it once at start-up::

    logging.config.dictConfig(logging_config(level="INFO", loggers={"app.db": "DEBUG"}))

and every record comes out as a line such as::

    {"timestamp": "2024-05-01T12:00:00.250+00:00", "level": "INFO", "logger": "app",
     "message": "paid", "request_id": "r-7", "amount": 30}
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
STANDARD_KEYS = ("timestamp", "level", "logger", "message", "exception")
RENAMED_PREFIX = "field_"


@contextmanager
def bind(**fields: object) -> Iterator[None]:
    """Add ``fields`` to every record logged inside the block, in this thread or task.

        with bind(request_id="r-7", user="ada"):
            logger.info("paid")     # the line has "request_id" and "user"

    Blocks nest: an inner block adds to the outer one's fields and wins on a shared name.
    Leaving the block, even by an exception, restores the fields as they were. A binding
    is seen only by the thread or asyncio task that made it (and the tasks it starts).
    """
    raise NotImplementedError
    yield  # makes this function a generator, as @contextmanager needs


def bound_fields() -> dict[str, object]:
    """Return a copy of the fields bound here and now (``{}`` outside any block)."""
    raise NotImplementedError


def safe(value: object) -> object:
    """Return ``value`` as something ``json.dumps`` writes as valid JSON, never raising.

    - ``None``, ``bool``, ``int`` and ``str`` are returned as they are; so is a finite
      ``float``. NaN and the infinities become ``str(value)`` (``"nan"``, ``"inf"``).
    - ``datetime``, ``date`` and ``time`` become their ``isoformat()``.
    - A dict becomes a new dict: each key that is not a ``str`` becomes its text (see
      below), each value is made safe. Lists and tuples become lists of safe values;
      sets and frozensets too, sorted (by the ``repr`` of each safe value when they
      cannot be compared with each other, as ``1`` and ``"a"``).
    - A container met again *inside itself* (a cycle) becomes ``"<cycle>"``. The same
      list in two places that do not contain each other is no cycle.
    - Anything else becomes its text, ``str(value)``, or ``"<unprintable TypeName>"``
      when ``str`` raises.

    The input is never modified.
    """
    raise NotImplementedError


class JsonFormatter(logging.Formatter):
    """Format each record as one line of JSON (``json.dumps`` with its default settings).

    Keys, in order:

    - ``timestamp``: the record's own time (``record.created``) in UTC, ISO 8601 with
      milliseconds: ``"2024-05-01T12:00:00.250+00:00"``;
    - ``level`` (``"INFO"``), ``logger`` (its name), ``message`` (with its
      %-arguments filled in);
    - the fields bound with ``bind``, then the fields passed with ``extra=``, every
      value made ``safe``; an ``extra=`` field wins over a bound one of the same name.
      A field named like a standard key (``STANDARD_KEYS``) is written as
      ``field_<name>`` instead, so it never hides the record's own;
    - for a record with an exception, ``exception``: ``{"type": ..., "message": ...,
      "traceback": ...}``. The type is the class's ``__qualname__``, after its
      module and a dot unless the module is ``builtins`` (``"ValueError"``,
      ``"billing.PaymentError"``); the message is the exception's text; the traceback
      is the standard one, as ``formatException`` writes it.

    Fields passed with ``extra=`` become attributes of the LogRecord. To tell them
    apart from the standard attributes, compare against the attributes of a freshly
    made ``logging.LogRecord`` (and ``message`` and ``asctime``, which other formatters
    add).
    """

    def format(self, record: logging.LogRecord) -> str:
        raise NotImplementedError


def logging_config(
    level: str = "INFO",
    loggers: Mapping[str, str] | None = None,
    stream: TextIO | str = "ext://sys.stderr",
) -> dict[str, Any]:
    """Return a ``logging.config.dictConfig`` configuration that logs JSON to ``stream``.

    - ``level`` is the root logger's level; ``loggers`` maps logger names to levels of
      their own. Other loggers set no level, so they follow their parent's.
    - One handler, on the root logger: a ``logging.StreamHandler`` writing to
      ``stream`` (an open text stream, or a name like ``"ext://sys.stdout"``) through
      a ``JsonFormatter``.
    - Loggers that existed before the configuration keep working.

    A level is one of LEVELS in any case (``"debug"`` is ``"DEBUG"``). Anything else
    raises ``ValueError``, before anything is built, with exactly this message:
    ``logger 'app.db': unknown level 'WARN' (use DEBUG, INFO, WARNING, ERROR, CRITICAL)``
    (the root logger is ``'root'``).
    """
    raise NotImplementedError
