"""Tests for log_setup.py."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone

import pytest
from pygrade_graders.compare import assert_same

from log_setup import JsonFormatter, configure, parse_level

START = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
LEVEL_NAMES_HINT = "(use DEBUG, INFO, WARNING, ERROR or CRITICAL)"


def fixed_clock() -> datetime:
    return START


def ticking_clock() -> Callable[[], datetime]:
    """A clock that moves on 1.5 seconds each time it is read."""
    reads = 0

    def now() -> datetime:
        nonlocal reads
        reads += 1
        return START + timedelta(seconds=1.5 * (reads - 1))

    return now


def record(
    name: str = "app",
    level: int = logging.INFO,
    msg: str = "hello",
    args: tuple[object, ...] = (),
    error: BaseException | None = None,
) -> logging.LogRecord:
    exc_info = (type(error), error, error.__traceback__) if error is not None else None
    return logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Leave the logging module as each test found it: handlers, and every logger's level."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    manager = logging.Logger.manager
    levels = {
        name: logger.level
        for name, logger in manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, logger in list(manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            logger.setLevel(levels.get(name, logging.NOTSET))


def emit_all() -> None:
    """One record per level from a few loggers of one application."""
    for name in ("app", "app.db", "app.db.pool", "billing"):
        logger = logging.getLogger(name)
        logger.debug("%s debug", name)
        logger.info("%s info", name)
        logger.warning("%s warning", name)
        logger.error("%s error", name)


def json_lines(text: str) -> list[object]:
    assert text == "" or text.endswith("\n"), "every record ends with a newline"
    return [json.loads(line) for line in text.splitlines()]


def messages(text: str) -> list[str]:
    return [str(line["message"]) for line in json_lines(text) if isinstance(line, dict)]


# --- JsonFormatter ------------------------------------------------------------


@pytest.mark.weight(2)
def test_formatter_writes_time_level_logger_and_message() -> None:
    formatter = JsonFormatter(fixed_clock)

    line = formatter.format(record("app.db", logging.WARNING, "slow query: %.1f s", (2.34,)))

    assert_same(
        line,
        '{"time": "2024-05-01T12:00:00.000+00:00", "level": "WARNING", '
        '"logger": "app.db", "message": "slow query: 2.3 s"}',
    )


def test_formatter_reads_the_clock_for_every_record() -> None:
    formatter = JsonFormatter(ticking_clock())

    times = [json.loads(formatter.format(record()))["time"] for _ in range(3)]

    assert_same(
        times,
        ["2024-05-01T12:00:00.000+00:00", "2024-05-01T12:00:01.500+00:00", "2024-05-01T12:00:03.000+00:00"],
    )


def test_formatter_can_leave_the_time_out() -> None:
    def clock() -> datetime:
        raise AssertionError("the clock should not be read when the time is left out")

    line = JsonFormatter(clock, include_time=False).format(record("billing", logging.ERROR, "x"))

    assert_same(line, '{"level": "ERROR", "logger": "billing", "message": "x"}')


def test_formatter_keeps_a_multi_line_message_on_one_line() -> None:
    line = JsonFormatter(fixed_clock).format(record(msg="first\nsecond"))

    assert "\n" not in line
    assert_same(json.loads(line)["message"], "first\nsecond")


def test_formatter_adds_the_traceback_of_an_exception() -> None:
    try:
        1 / 0
    except ZeroDivisionError as error:
        caught = error

    line = JsonFormatter(fixed_clock).format(record(level=logging.ERROR, msg="failed", error=caught))

    payload = json.loads(line)
    assert "\n" not in line
    assert_same(list(payload), ["time", "level", "logger", "message", "exception"])
    assert payload["exception"].startswith("Traceback (most recent call last):")
    assert payload["exception"].endswith("ZeroDivisionError: division by zero")


# --- parse_level ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "number"),
    [("DEBUG", 10), ("info", 20), ("Warning", 30), ("ERROR", 40), ("critical", 50)],
)
def test_parse_level_knows_the_five_levels_in_any_case(name: str, number: int) -> None:
    assert_same(parse_level("app", name), number)


@pytest.mark.parametrize("level", ["LOUD", "WARN", "FATAL", "NOTSET", "", 20, None])
def test_parse_level_refuses_anything_else_naming_logger_and_level(level: object) -> None:
    with pytest.raises(ValueError) as caught:
        parse_level("app.db", level)

    assert_same(str(caught.value), f"logger 'app.db': unknown level {level!r} {LEVEL_NAMES_HINT}")


# --- configure ----------------------------------------------------------------------


@pytest.mark.weight(2)
def test_below_warning_goes_to_stdout_and_the_rest_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    configure({"level": "INFO", "time": False})

    logging.getLogger("app").debug("hidden")
    logging.getLogger("app").info("started")
    logging.getLogger("app").warning("slow")
    logging.getLogger("app.db").critical("down")

    out, err = capsys.readouterr()
    assert_same(json_lines(out), [{"level": "INFO", "logger": "app", "message": "started"}])
    assert_same(
        json_lines(err),
        [
            {"level": "WARNING", "logger": "app", "message": "slow"},
            {"level": "CRITICAL", "logger": "app.db", "message": "down"},
        ],
    )


def test_json_lines_carry_the_time_of_the_given_clock(capsys: pytest.CaptureFixture[str]) -> None:
    configure({"level": "DEBUG"}, clock=fixed_clock)

    logging.getLogger("app").debug("tick")

    assert_same(
        capsys.readouterr().out,
        '{"time": "2024-05-01T12:00:00.000+00:00", "level": "DEBUG", "logger": "app", "message": "tick"}\n',
    )


@pytest.mark.weight(2)
def test_each_logger_gets_its_own_level(capsys: pytest.CaptureFixture[str]) -> None:
    configure({"level": "ERROR", "loggers": {"app": "INFO", "app.db": "WARNING"}, "time": False})

    emit_all()

    out, err = capsys.readouterr()
    assert_same(messages(out), ["app info"])
    assert_same(
        messages(err),
        [
            "app warning",
            "app error",
            "app.db warning",
            "app.db error",
            "app.db.pool warning",
            "app.db.pool error",
            "billing error",
        ],
    )


@pytest.mark.weight(2)
def test_a_child_logger_without_a_level_inherits_its_parents(capsys: pytest.CaptureFixture[str]) -> None:
    configure({"level": "DEBUG", "loggers": {"app": "INFO", "app.db": "WARNING"}, "time": False})

    pool = logging.getLogger("app.db.pool")
    assert_same(pool.level, logging.NOTSET, "only the configured loggers get a level")
    assert_same(pool.getEffectiveLevel(), logging.WARNING)
    pool.info("grew to 5")
    pool.warning("exhausted")

    out, err = capsys.readouterr()
    assert_same(out, "")
    assert_same(messages(err), ["exhausted"])


def test_the_root_level_defaults_to_warning(capsys: pytest.CaptureFixture[str]) -> None:
    configure({"time": False})

    emit_all()

    out, err = capsys.readouterr()
    assert_same(out, "")
    assert_same(len(messages(err)), 8)
    assert_same(logging.getLogger().level, logging.WARNING)


def test_the_text_format(capsys: pytest.CaptureFixture[str]) -> None:
    configure({"level": "INFO", "format": "text"})

    logging.getLogger("worker").info("job %d done", 17)
    logging.getLogger("worker.io").error("disk full")

    out, err = capsys.readouterr()
    assert_same(out, "INFO worker: job 17 done\n")
    assert_same(err, "ERROR worker.io: disk full\n")


@pytest.mark.weight(2)
def test_configuring_twice_does_not_duplicate_handlers(capsys: pytest.CaptureFixture[str]) -> None:
    config: dict[str, object] = {"level": "INFO", "loggers": {"app.db": "ERROR"}, "time": False}
    configure(config)
    handlers = len(logging.getLogger().handlers)

    configure(config)
    configure(config)

    assert_same(len(logging.getLogger().handlers), handlers)
    logging.getLogger("app").info("once")
    logging.getLogger("app").warning("once too")
    out, err = capsys.readouterr()
    assert_same(messages(out), ["once"])
    assert_same(messages(err), ["once too"])


@pytest.mark.weight(2)
def test_configuring_again_replaces_the_previous_setup(capsys: pytest.CaptureFixture[str]) -> None:
    configure({"level": "INFO", "loggers": {"app.db": "ERROR", "app": "DEBUG"}, "time": False})
    configure({"level": "INFO", "loggers": {"app": "WARNING"}, "format": "text"})

    db = logging.getLogger("app.db")
    assert_same(db.level, logging.NOTSET, "a logger left out of the new config inherits again")
    db.info("hidden by app's WARNING")
    db.warning("shown")
    logging.getLogger("billing").info("root is INFO")

    out, err = capsys.readouterr()
    assert_same(out, "INFO billing: root is INFO\n")
    assert_same(err, "WARNING app.db: shown\n")


def test_configure_leaves_other_handlers_alone(capsys: pytest.CaptureFixture[str]) -> None:
    collected: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            collected.append(record.getMessage())

    other = Collect()
    logging.getLogger().addHandler(other)

    configure({"level": "INFO", "time": False})
    configure({"level": "INFO", "time": False})
    logging.getLogger("app").info("seen by both")

    assert other in logging.getLogger().handlers
    assert_same(collected, ["seen by both"])
    assert_same(messages(capsys.readouterr().out), ["seen by both"])


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"level": "LOUD"}, f"logger 'root': unknown level 'LOUD' {LEVEL_NAMES_HINT}"),
        (
            {"loggers": {"app": "INFO", "app.db": "verbose"}},
            f"logger 'app.db': unknown level 'verbose' {LEVEL_NAMES_HINT}",
        ),
        ({"loggers": {"app": 10}}, f"logger 'app': unknown level 10 {LEVEL_NAMES_HINT}"),
    ],
    ids=["root", "a-logger", "a-number"],
)
def test_an_unknown_level_is_refused_naming_logger_and_level(
    config: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        configure(config)

    assert_same(str(caught.value), message)


@pytest.mark.parametrize(
    "config",
    [{"format": "xml"}, {"levels": {"app": "INFO"}}, {"time": "no"}, {"loggers": ["app"]}],
    ids=["format", "unknown-key", "time", "loggers"],
)
def test_other_mistakes_are_refused(config: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        configure(config)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "bad",
    [
        {"level": "DEBUG", "loggers": {"app": "DEBUG", "app.db": "LOUD"}, "format": "text"},
        {"level": "DEBUG", "loggers": {"app": "DEBUG"}, "format": "xml"},
        {"level": "DEBUG", "loggers": {"app": "DEBUG"}, "time": "off"},
        {"level": "DEBUG", "loggers": {"app": "DEBUG"}, "colour": True},
    ],
    ids=["level", "format", "time", "unknown-key"],
)
def test_a_bad_config_changes_nothing(capsys: pytest.CaptureFixture[str], bad: dict[str, object]) -> None:
    configure({"level": "INFO", "loggers": {"app.db": "ERROR"}, "time": False})
    handlers = list(logging.getLogger().handlers)

    with pytest.raises(ValueError):
        configure(bad)

    assert_same(logging.getLogger().handlers, handlers)
    assert_same(logging.getLogger().level, logging.INFO)
    assert_same(logging.getLogger("app").level, logging.NOTSET)
    assert_same(logging.getLogger("app.db").level, logging.ERROR)
    logging.getLogger("app").debug("still hidden")
    logging.getLogger("app").info("still json")
    assert_same(messages(capsys.readouterr().out), ["still json"])
