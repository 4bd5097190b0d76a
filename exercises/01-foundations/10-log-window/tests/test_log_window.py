"""Tests for log_window.py: durations, timestamps and offsets, the window over a log (with the
early stop of a sorted log), and the command line with its exit codes and its warning."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from pygrade_graders.compare import assert_same

from log_window import Entry, main, parse_duration, parse_offset, parse_timestamp, select

UTC = timezone.utc
PARIS = timezone(timedelta(hours=2))
NOON = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

LOG = [
    "2024-05-01T11:40:00Z deploy started\n",
    "2024-05-01T11:50:00+00:00 health check ok\n",
    "garbage line\n",
    "2024-05-01T13:52:30+02:00 cache miss storm\n",
    "2024-05-01T12:00:00Z deploy finished\n",
    "\n",
    "2024-05-01 12:01:00 no offset here\n",
    "2024-05-01T12:05:00Z after noon\n",
    "2024-05-01T11:55:00Z late write\n",
]


def at(hour: int, minute: int, second: int = 0, zone: timezone = UTC) -> datetime:
    return datetime(2024, 5, 1, hour, minute, second, tzinfo=zone)


class Counted:
    """Lines that count how many were read."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.read = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            self.read += 1
            yield line


# --- parse_duration, parse_timestamp, parse_offset -------------------------------


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("45s", timedelta(seconds=45)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("90m", timedelta(minutes=90)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("0h5m", timedelta(minutes=5)),
    ],
)
def test_durations(text: str, duration: timedelta) -> None:
    assert_same(parse_duration(text), duration)


@pytest.mark.parametrize("text", ["", "15", "m", "15x", "15mx", "1h30", "15 m", "-5m", "1.5h", "0m", "0h0s", "15M", " 15m"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2024-05-01T12:00:00Z", NOON),
        ("2024-05-01T14:00:00+02:00", at(14, 0, zone=PARIS)),
        ("2024-05-01T06:30:15-05:30", at(6, 30, 15, timezone(-timedelta(hours=5, minutes=30)))),
    ],
)
def test_timestamps_keep_their_offset(text: str, moment: datetime) -> None:
    parsed = parse_timestamp(text)

    assert_same(parsed, moment)
    assert_same(parsed.utcoffset(), moment.utcoffset())


@pytest.mark.parametrize("text", ["2024-05-01T12:00:00", "2024-05-01", "noon", "", "2024-13-01T00:00:00Z"])
def test_timestamps_without_offset_or_not_times_are_errors(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("Z", timedelta(0)),
        ("UTC", timedelta(0)),
        ("+00:00", timedelta(0)),
        ("+05:30", timedelta(hours=5, minutes=30)),
        ("-08:00", timedelta(hours=-8)),
        ("-03:30", -timedelta(hours=3, minutes=30)),
        ("+23:59", timedelta(hours=23, minutes=59)),
    ],
)
def test_offsets(text: str, offset: timedelta) -> None:
    zone = parse_offset(text)

    assert isinstance(zone, timezone)
    assert_same(zone.utcoffset(None), offset)


@pytest.mark.parametrize("text", ["", "utc", "+5:30", "0530", "+05:60", "+24:00", "-24:00", "+99:00", "05:30", "+05:30:00", "Europe/Paris"])
def test_bad_offsets(text: str) -> None:
    with pytest.raises(ValueError):
        parse_offset(text)


# --- select ---------------------------------------------------------------------


@pytest.mark.weight(3)
def test_the_window_holds_its_ends_and_compares_moments_across_offsets() -> None:
    entries, malformed = select(LOG, at(11, 45), NOON)

    assert_same(
        entries,
        [
            Entry(at(11, 50), "health check ok"),
            Entry(at(13, 52, 30, PARIS), "cache miss storm"),
            Entry(NOON, "deploy finished"),
            Entry(at(11, 55), "late write"),
        ],
    )
    assert_same(malformed, 2)


def test_both_ends_are_included() -> None:
    entries, _ = select(LOG, at(11, 40), at(11, 50))

    assert_same([entry.message for entry in entries], ["deploy started", "health check ok"])


def test_the_ends_may_be_given_in_any_offset() -> None:
    entries, _ = select(LOG, at(13, 45, zone=PARIS), at(13, 58, zone=PARIS))

    assert_same([entry.message for entry in entries], ["health check ok", "cache miss storm", "late write"])


@pytest.mark.weight(2)
def test_a_sorted_log_is_read_only_up_to_the_first_entry_after_the_window() -> None:
    lines = Counted(LOG)

    entries, malformed = select(lines, at(11, 45), NOON, stop_after_end=True)

    assert_same([entry.message for entry in entries], ["health check ok", "cache miss storm", "deploy finished"])
    assert_same(lines.read, 8)  # the line after noon is read, the late write is not
    assert_same(malformed, 2)


def test_a_sorted_log_is_read_to_the_end_when_nothing_is_after_the_window() -> None:
    lines = Counted(LOG)

    entries, _ = select(lines, at(11, 0), at(13, 0), stop_after_end=True)

    assert_same(len(entries), 6)
    assert_same(lines.read, len(LOG))


def test_without_the_flag_every_line_is_read() -> None:
    lines = Counted(LOG)

    select(lines, at(11, 0), at(11, 41))

    assert_same(lines.read, len(LOG))


def test_lines_before_the_window_do_not_stop_a_sorted_log() -> None:
    lines = ["2024-05-01T10:00:00Z early\n", "2024-05-01T11:00:00Z on time\n"]

    entries, _ = select(lines, at(10, 30), NOON, stop_after_end=True)

    assert_same(entries, [Entry(at(11, 0), "on time")])


@pytest.mark.weight(2)
def test_malformed_lines_are_counted_but_blank_lines_are_not() -> None:
    lines = ["\n", "   \n", "oops\n", "12:00 lunch\n", "2024-05-01T12:00:00 naive\n", "2024-05-01T12:00:00Z ok\n"]

    entries, malformed = select(lines, at(11, 0), NOON)

    assert_same(entries, [Entry(NOON, "ok")])
    assert_same(malformed, 3)


def test_each_malformed_line_is_logged_at_debug_level_with_its_number(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="log_window")

    select(LOG, at(11, 0), NOON)

    debug = [(r.name, r.getMessage()) for r in caplog.records if r.levelno == logging.DEBUG]
    assert_same(debug, [("log_window", "line 3: no timestamp, skipped"), ("log_window", "line 7: no timestamp, skipped")])


def test_messages_are_the_rest_of_the_line_without_surrounding_space() -> None:
    lines = ["2024-05-01T12:00:00Z   spaced   out  message  \n", "2024-05-01T12:00:00Z\n"]

    entries, _ = select(lines, NOON, NOON)

    assert_same(entries, [Entry(NOON, "spaced   out  message"), Entry(NOON, "")])


def test_naive_window_ends_are_an_error() -> None:
    with pytest.raises(ValueError):
        select(LOG, datetime(2024, 5, 1, 11), NOON)
    with pytest.raises(ValueError):
        select(LOG, NOON, datetime(2024, 5, 1, 13))


# --- main -----------------------------------------------------------------------


def run(
    argv: list[str], log: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int | str | None, str]:
    """Run main on the log; its exit status (returned or raised with SystemExit) and stdout."""
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(log)))
    try:
        status: int | str | None = main(argv)
    except SystemExit as stop:
        status = stop.code
    return status, capsys.readouterr().out


@pytest.mark.weight(2)
def test_main_since_a_duration_before_now(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run(["--since", "15m", "--now", "2024-05-01T12:00:00Z"], LOG, monkeypatch, capsys)

    assert_same(status, 0)
    assert_same(
        out.splitlines(),
        [
            "2024-05-01T11:50:00+00:00 health check ok",
            "2024-05-01T13:52:30+02:00 cache miss storm",
            "2024-05-01T12:00:00+00:00 deploy finished",
            "2024-05-01T11:55:00+00:00 late write",
        ],
    )


@pytest.mark.weight(2)
def test_main_converts_times_to_the_offset_asked_for(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--from", "2024-05-01T11:45:00Z", "--until", "2024-05-01T13:00:00+01:00", "--tz=-04:00", "--sorted"]

    status, out = run(argv, LOG, monkeypatch, capsys)

    assert_same(status, 0)
    assert_same(
        out.splitlines(),
        ["2024-05-01T07:50:00-04:00 health check ok", "2024-05-01T07:52:30-04:00 cache miss storm",
         "2024-05-01T08:00:00-04:00 deploy finished"],
    )


def test_main_takes_the_offset_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_WINDOW_TZ", "+02:00")

    status, out = run(["--since", "5m", "--now", "2024-05-01T12:00:00Z"], LOG, monkeypatch, capsys)

    assert_same(status, 0)
    assert_same(out.splitlines(), ["2024-05-01T14:00:00+02:00 deploy finished", "2024-05-01T13:55:00+02:00 late write"])


def test_main_ends_the_window_now_when_until_is_not_given(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run(["--from", "2024-05-01T11:53:00Z", "--now", "2024-05-01T11:56:00Z"], LOG, monkeypatch, capsys)

    assert_same((status, out), (0, "2024-05-01T11:55:00+00:00 late write\n"))


@pytest.mark.weight(2)
def test_main_exits_1_when_the_window_is_empty(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run(["--since", "1h", "--now", "2024-05-01T10:00:00Z"], LOG, monkeypatch, capsys)

    assert_same((status, out), (1, ""))


@pytest.mark.weight(2)
def test_main_warns_once_with_the_number_of_malformed_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)

    run(["--since", "1d", "--now", "2024-05-02T00:00:00Z"], LOG, monkeypatch, capsys)

    warnings = [(r.name, r.levelno, r.getMessage()) for r in caplog.records if r.levelno >= logging.WARNING]
    assert_same(warnings, [("log_window", logging.WARNING, "skipped 2 malformed lines")])


def test_main_says_line_for_one_and_nothing_for_none(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)

    run(["--since", "1d", "--now", "2024-05-02T00:00:00Z"], ["x\n", "2024-05-01T12:00:00Z a\n"], monkeypatch, capsys)
    run(["--since", "1d", "--now", "2024-05-02T00:00:00Z"], ["2024-05-01T12:00:00Z a\n"], monkeypatch, capsys)

    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert_same(warnings, ["skipped 1 malformed line"])


@pytest.mark.weight(3)
@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--now", "2024-05-01T12:00:00Z"],
        ["--since", "15m", "--from", "2024-05-01T11:00:00Z"],
        ["--since", "15x", "--now", "2024-05-01T12:00:00Z"],
        ["--since", "0m", "--now", "2024-05-01T12:00:00Z"],
        ["--since", "15m", "--now", "2024-05-01T12:00:00"],
        ["--from", "yesterday"],
        ["--from", "2024-05-01T11:00:00Z", "--until", "2024-05-01T12:00"],
        ["--from", "2024-05-01T13:00:00Z", "--until", "2024-05-01T12:00:00Z"],
        ["--since", "15m", "--now", "2024-05-01T12:00:00Z", "--tz", "CEST"],
        ["--since", "15m", "--now", "2024-05-01T12:00:00Z", "--colour"],
    ],
)
def test_main_exits_2_on_bad_arguments_and_prints_nothing(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_same(run(argv, LOG, monkeypatch, capsys), (2, ""))


def test_a_window_of_one_moment_is_allowed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--from", "2024-05-01T12:00:00Z", "--until", "2024-05-01T14:00:00+02:00"]

    assert_same(run(argv, LOG, monkeypatch, capsys), (0, "2024-05-01T12:00:00+00:00 deploy finished\n"))
