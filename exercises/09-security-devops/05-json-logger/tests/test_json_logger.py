"""Tests for the JSON structured-logging formatter and its configuration.

Each test logs through a handler of its own, or through `dictConfig`, into a `StringIO`, and
reads the lines back with `json.loads`. Records get their time from `record.created`, which
the tests set, so no test depends on the wall clock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import logging.config
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

import pytest
from pygrade_graders.compare import assert_same

from json_log import JsonFormatter, bind, bound_fields, logging_config, safe

TIMEOUT = 2.0  # seconds a test waits for another thread before it fails
NAMES = ("app", "app.db", "app.db.pool", "app.web", "legacy", "billing")

Lines = Callable[[], list[dict[str, Any]]]


def no_constants(text: str) -> object:
    raise AssertionError(f"{text} is not valid JSON: write it as a string")


def parse(text: str) -> list[dict[str, Any]]:
    """The JSON objects of `text`, one per line, refusing NaN and Infinity."""
    assert text.endswith("\n"), "each record ends with a newline"
    return [json.loads(line, parse_constant=no_constants) for line in text.splitlines()]


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Leave the logging module as each test found it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name in NAMES:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
        logger.disabled = False


@pytest.fixture
def logged() -> tuple[logging.Logger, Lines]:
    """The logger "app" writing through a JsonFormatter, and its parsed lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("app")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    return logger, lambda: parse(stream.getvalue())


def record(message: str = "hello", created: float = 1714564800.25) -> logging.LogRecord:
    """A record of the logger "app", made at `created` (seconds since the epoch)."""
    made = logging.LogRecord("app", logging.INFO, __file__, 1, message, None, None)
    made.created = created
    return made


def format_one(made: logging.LogRecord) -> dict[str, Any]:
    line = JsonFormatter().format(made)
    assert "\n" not in line, "a record is one line"
    [parsed] = parse(line + "\n")
    return parsed


# --- the formatter ------------------------------------------------------------------------


def test_each_record_is_one_json_object_per_line(logged: tuple[logging.Logger, Lines]) -> None:
    logger, lines = logged

    logger.warning("payment of %d EUR failed", 30)
    logger.debug("retrying")

    found = lines()
    assert_same(len(found), 2)
    assert_same(
        [{key: line[key] for key in ("level", "logger", "message")} for line in found],
        [
            {"level": "WARNING", "logger": "app", "message": "payment of 30 EUR failed"},
            {"level": "DEBUG", "logger": "app", "message": "retrying"},
        ],
    )


def test_the_standard_keys_come_first_in_order() -> None:
    made = record("paid")
    made.amount = 30

    assert_same(list(format_one(made)), ["timestamp", "level", "logger", "message", "amount"])


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("created", "timestamp"),
    [
        (1714564800.25, "2024-05-01T12:00:00.250+00:00"),
        (0.0, "1970-01-01T00:00:00.000+00:00"),
        (1700000000.9999, "2023-11-14T22:13:20.999+00:00"),
        (1709251199.0, "2024-02-29T23:59:59.000+00:00"),
    ],
)
def test_the_timestamp_is_the_records_time_in_utc(created: float, timestamp: str) -> None:
    assert_same(format_one(record(created=created))["timestamp"], timestamp)


def test_the_timestamp_does_not_depend_on_the_local_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "EST+05EDT,M3.2.0,M11.1.0")
    time.tzset()
    try:
        stamp = format_one(record(created=1714564800.0))["timestamp"]
    finally:
        monkeypatch.undo()
        time.tzset()
    assert_same(stamp, "2024-05-01T12:00:00.000+00:00")


def test_extra_fields_follow_the_message(logged: tuple[logging.Logger, Lines]) -> None:
    logger, lines = logged

    logger.info("order placed", extra={"order_id": "o-17", "items": 3, "gift": False})

    [line] = lines()
    assert_same(list(line)[3:], ["message", "order_id", "items", "gift"])
    assert_same((line["order_id"], line["items"], line["gift"]), ("o-17", 3, False))


def test_a_record_without_extras_has_only_the_standard_keys() -> None:
    assert_same(sorted(format_one(record())), ["level", "logger", "message", "timestamp"])


@pytest.mark.parametrize("name", ["timestamp", "level", "logger", "exception"])
def test_a_field_named_like_a_standard_key_is_renamed(
    logged: tuple[logging.Logger, Lines], name: str
) -> None:
    logger, lines = logged

    logger.info("hi", extra={name: "mine"})

    [line] = lines()
    assert_same(line[f"field_{name}"], "mine")
    assert name not in line or line[name] != "mine", f"the field {name!r} replaced the standard key"


def test_the_formatter_works_without_a_handler_calling_format_first() -> None:
    made = record("%s + %s", created=0.0)
    made.args = (1, 2)

    assert_same(format_one(made)["message"], "1 + 2")


# --- exceptions ---------------------------------------------------------------------------


class PaymentError(Exception):
    """An error of the application, defined outside builtins."""


def charge() -> None:
    raise ValueError("card declined")


@pytest.mark.weight(2)
def test_an_exception_is_serialised_with_type_message_and_traceback(
    logged: tuple[logging.Logger, Lines],
) -> None:
    logger, lines = logged

    try:
        charge()
    except ValueError:
        logger.exception("payment failed")

    [line] = lines()
    assert_same(list(line)[-1], "exception", "the exception comes last")
    error = line["exception"]
    assert_same(sorted(error), ["message", "traceback", "type"])
    assert_same((error["type"], error["message"]), ("ValueError", "card declined"))
    trace = error["traceback"]
    assert isinstance(trace, str)
    assert trace.startswith("Traceback (most recent call last):\n"), trace
    assert "in charge" in trace, "the traceback shows the frame that raised"
    assert trace.rstrip("\n").endswith("ValueError: card declined"), trace


def test_an_application_exception_is_named_with_its_module(
    logged: tuple[logging.Logger, Lines],
) -> None:
    logger, lines = logged

    try:
        raise PaymentError("insufficient funds")
    except PaymentError as err:
        logger.error("payment failed", exc_info=err)

    [line] = lines()
    assert_same(line["exception"]["type"], f"{PaymentError.__module__}.PaymentError")
    assert_same(line["exception"]["message"], "insufficient funds")


def test_an_exception_that_was_never_raised_is_still_serialised(
    logged: tuple[logging.Logger, Lines],
) -> None:
    logger, lines = logged

    logger.warning("refund refused", exc_info=PaymentError("refund window closed"))

    [line] = lines()
    assert_same(line["exception"]["message"], "refund window closed")
    assert line["exception"]["traceback"].rstrip("\n").endswith("refund window closed")


def test_a_chained_exception_keeps_its_cause_in_the_traceback(
    logged: tuple[logging.Logger, Lines],
) -> None:
    logger, lines = logged

    try:
        try:
            charge()
        except ValueError as err:
            raise PaymentError("payment failed") from err
    except PaymentError:
        logger.exception("checkout failed")

    [line] = lines()
    trace = line["exception"]["traceback"]
    assert "ValueError: card declined" in trace
    assert "direct cause" in trace


def test_no_exception_key_without_an_exception(logged: tuple[logging.Logger, Lines]) -> None:
    logger, lines = logged

    logger.exception("nothing was raised")  # exc_info is (None, None, None)
    logger.info("plain")

    assert_same(["exception" in line for line in lines()], [False, False])


# --- safe values --------------------------------------------------------------------------


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text for you")

    def __repr__(self) -> str:
        raise RuntimeError("no text for you")


class Named:
    def __str__(self) -> str:
        return "a named thing"

    def __repr__(self) -> str:
        return "Named()"


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (42, 42),
        (-2.5, -2.5),
        ("text", "text"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        (dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.timezone.utc), "2024-05-01T12:30:00+00:00"),
        (dt.date(2024, 5, 1), "2024-05-01"),
        (dt.time(8, 15), "08:15:00"),
        (Decimal("1.10"), "1.10"),
        (PurePosixPath("/var/log/app"), "/var/log/app"),
        (b"\x00ab", "b'\\x00ab'"),
        (Named(), "a named thing"),
        ((1, "two"), [1, "two"]),
        ({10, 1, 9, 2}, [1, 2, 9, 10]),
        (frozenset({"pear", "fig", "apple", "kiwi"}), ["apple", "fig", "kiwi", "pear"]),
        ({20, "b", 3, "a", 11, (2, 3)}, ["a", "b", 11, 20, 3, [2, 3]]),
        ({1: "one", None: "none", "k": (2,)}, {"1": "one", "None": "none", "k": [2]}),
        ({"at": [dt.date(2024, 1, 2), {"n": float("nan")}]}, {"at": ["2024-01-02", {"n": "nan"}]}),
    ],
    ids=repr,
)
def test_safe_makes_any_value_valid_json(value: object, expected: object) -> None:
    made = safe(value)

    assert_same(made, expected)
    json.loads(json.dumps(made), parse_constant=no_constants)


def test_safe_never_raises_for_a_value_that_cannot_be_shown() -> None:
    assert_same(safe(Unprintable()), "<unprintable Unprintable>")
    assert_same(safe({"x": [Unprintable()]}), {"x": ["<unprintable Unprintable>"]})


def test_safe_cuts_cycles() -> None:
    loop: list[object] = [1]
    loop.append(loop)
    ring: dict[str, object] = {"name": "ring"}
    ring["self"] = {"back": ring}

    assert_same(safe(loop), [1, "<cycle>"])
    assert_same(safe(ring), {"name": "ring", "self": {"back": "<cycle>"}})


def test_safe_repeats_a_shared_value_that_is_no_cycle() -> None:
    shared = [1, 2]

    assert_same(safe({"a": shared, "b": [shared, shared]}), {"a": [1, 2], "b": [[1, 2], [1, 2]]})


def test_safe_does_not_change_its_input() -> None:
    data: dict[str, object] = {"when": dt.date(2024, 1, 2), "tags": {"b", "a"}}

    safe(data)

    assert_same(data, {"when": dt.date(2024, 1, 2), "tags": {"b", "a"}})


def test_awkward_extra_values_still_make_a_json_line(logged: tuple[logging.Logger, Lines]) -> None:
    logger, lines = logged

    logger.info(
        "odd values",
        extra={"ratio": float("inf"), "amount": Decimal("9.99"), "who": Unprintable()},
    )

    [line] = lines()
    assert_same(
        (line["ratio"], line["amount"], line["who"]), ("inf", "9.99", "<unprintable Unprintable>")
    )


# --- bound context ------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_bound_fields_are_in_every_record_inside_the_block(
    logged: tuple[logging.Logger, Lines],
) -> None:
    logger, lines = logged

    with bind(request_id="r-7", user="ada"):
        logger.info("start")
        logger.info("paid", extra={"amount": 30})
    logger.info("after")

    first, second, after = lines()
    assert_same(list(first)[4:], ["request_id", "user"])
    assert_same((first["request_id"], first["user"]), ("r-7", "ada"))
    assert_same(list(second)[4:], ["request_id", "user", "amount"], "bound fields, then extras")
    assert "request_id" not in after and "user" not in after


def test_bound_fields_are_made_safe(logged: tuple[logging.Logger, Lines]) -> None:
    logger, lines = logged

    with bind(started=dt.date(2024, 5, 1), tags={"b", "a"}):
        logger.info("hi")

    [line] = lines()
    assert_same((line["started"], line["tags"]), ("2024-05-01", ["a", "b"]))


def test_blocks_nest_and_the_inner_value_wins() -> None:
    with bind(request_id="r-1", user="ada"):
        with bind(user="bob", step=2):
            assert_same(bound_fields(), {"request_id": "r-1", "user": "bob", "step": 2})
        assert_same(bound_fields(), {"request_id": "r-1", "user": "ada"})
    assert_same(bound_fields(), {})


def test_an_extra_field_wins_over_a_bound_one(logged: tuple[logging.Logger, Lines]) -> None:
    logger, lines = logged

    with bind(step=1):
        logger.info("override", extra={"step": 2})

    [line] = lines()
    assert_same(line["step"], 2)


def test_the_fields_are_restored_when_the_block_raises() -> None:
    with bind(request_id="r-1"):
        with pytest.raises(KeyError), bind(request_id="r-2", job="j"):
            raise KeyError("boom")
        assert_same(bound_fields(), {"request_id": "r-1"})
    assert_same(bound_fields(), {})


def test_bound_fields_returns_a_copy() -> None:
    with bind(user="ada"):
        bound_fields()["user"] = "mallory"
        assert_same(bound_fields(), {"user": "ada"})


def test_a_binding_stays_in_its_own_thread() -> None:
    bound_there = threading.Event()
    checked_here = threading.Event()
    seen: list[dict[str, object]] = []

    def worker() -> None:
        seen.append(bound_fields())
        with bind(worker="w-1"):
            bound_there.set()
            checked_here.wait(TIMEOUT)

    with bind(request_id="main"):
        thread = threading.Thread(target=worker)
        thread.start()
        assert bound_there.wait(TIMEOUT)
        here = bound_fields()
        checked_here.set()
        thread.join(TIMEOUT)

    assert_same(here, {"request_id": "main"}, "the thread's binding leaked into the main thread")
    assert_same(seen, [{}], "a new thread starts with no bound fields")


@pytest.mark.weight(2)
def test_a_binding_stays_in_its_own_asyncio_task() -> None:
    async def handle(request_id: str, mine: asyncio.Event, other: asyncio.Event) -> object:
        with bind(request_id=request_id):
            mine.set()
            await other.wait()  # the other task binds its own id meanwhile
            return bound_fields()

    async def main() -> list[object]:
        first, second = asyncio.Event(), asyncio.Event()
        return list(
            await asyncio.gather(handle("r-1", first, second), handle("r-2", second, first))
        )

    assert_same(asyncio.run(main()), [{"request_id": "r-1"}, {"request_id": "r-2"}])


# --- configuration ------------------------------------------------------------------------


def configure(level: str = "INFO", loggers: dict[str, str] | None = None) -> Lines:
    stream = io.StringIO()
    logging.config.dictConfig(logging_config(level, loggers, stream))
    return lambda: parse(stream.getvalue()) if stream.getvalue() else []


@pytest.mark.weight(2)
def test_each_logger_gets_its_own_level() -> None:
    lines = configure("WARNING", {"app.db": "DEBUG", "app.web": "ERROR"})

    logging.getLogger("app").info("dropped: app is WARNING like the root")
    logging.getLogger("app").warning("app warning")
    logging.getLogger("app.db").debug("db debug")
    logging.getLogger("app.db.pool").debug("pool debug: inherits app.db's level")
    logging.getLogger("app.web").warning("dropped: app.web is ERROR")
    logging.getLogger("app.web").error("web error")
    logging.getLogger("billing").info("dropped: billing is WARNING like the root")

    assert_same(
        [(line["logger"], line["message"]) for line in lines()],
        [
            ("app", "app warning"),
            ("app.db", "db debug"),
            ("app.db.pool", "pool debug: inherits app.db's level"),
            ("app.web", "web error"),
        ],
    )


def test_levels_are_read_in_any_case() -> None:
    lines = configure("error", {"app.db": "Info"})

    logging.getLogger("app").warning("dropped")
    logging.getLogger("app.db").info("kept")

    assert_same([line["message"] for line in lines()], ["kept"])


def test_the_lines_are_json_from_the_formatter() -> None:
    lines = configure("DEBUG")

    with bind(request_id="r-9"):
        logging.getLogger("billing").debug("invoice %s sent", "i-3", extra={"pages": 2})

    [line] = lines()
    assert_same(list(line), ["timestamp", "level", "logger", "message", "request_id", "pages"])
    assert_same(line["message"], "invoice i-3 sent")


def test_loggers_made_before_the_configuration_keep_logging() -> None:
    legacy = logging.getLogger("legacy")
    lines = configure("INFO")

    legacy.info("still here")

    assert_same([line["message"] for line in lines()], ["still here"])


def test_configuring_again_does_not_log_twice() -> None:
    configure("INFO")
    lines = configure("INFO")

    logging.getLogger("app").info("once")

    assert_same([line["message"] for line in lines()], ["once"])


def test_the_default_is_info_to_standard_error(capsys: pytest.CaptureFixture[str]) -> None:
    logging.config.dictConfig(logging_config())

    logging.getLogger("app").debug("dropped")
    logging.getLogger("app").info("to stderr")

    captured = capsys.readouterr()
    assert_same(captured.out, "")
    assert_same([line["message"] for line in parse(captured.err)], ["to stderr"])


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("level", "loggers", "message"),
    [
        (
            "LOUD",
            {},
            "logger 'root': unknown level 'LOUD' (use DEBUG, INFO, WARNING, ERROR, CRITICAL)",
        ),
        (
            "INFO",
            {"app": "DEBUG", "app.db": "WARN"},
            "logger 'app.db': unknown level 'WARN' (use DEBUG, INFO, WARNING, ERROR, CRITICAL)",
        ),
        (
            "INFO",
            {"app": ""},
            "logger 'app': unknown level '' (use DEBUG, INFO, WARNING, ERROR, CRITICAL)",
        ),
    ],
)
def test_an_unknown_level_is_refused_by_name(
    level: str, loggers: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        logging_config(level, loggers)

    assert_same(str(caught.value), message)
