"""Tests for the JSON Lines export exercise.

Streaming is checked by behaviour: the functions are fed endless sources and must still
hand out their first events, and ``export`` must write each event before it reads the
next row. How much memory ``export`` needs is graded separately by pygrade's memory check.
"""

from __future__ import annotations

import io
import itertools
import json
import sys
from collections.abc import Iterator

import pytest
from pygrade_graders.compare import assert_same

from jsonl_export import (
    COLUMNS,
    Event,
    ExportSummary,
    describe,
    export,
    main,
    read_events,
    select,
    to_json_line,
)

HEADER = "time,service,level,latency_ms,message\n"

SAMPLE = [
    HEADER,
    "09:00:00,api,INFO,12,request served\n",
    "09:00:01,billing,DEBUG,3,cache warm\n",
    '09:00:02,api,ERROR,950,"upstream timeout, giving up"\n',
    "\n",
    "09:00:03,search,WARNING,430,slow query\n",
    "09:00:04,billing,WARNING,80,card retried\n",
    "09:00:05,api,DEBUG,1,health check\n",
]

API_INFO = Event("09:00:00", "api", "INFO", 12, "request served")
BILLING_DEBUG = Event("09:00:01", "billing", "DEBUG", 3, "cache warm")
API_ERROR = Event("09:00:02", "api", "ERROR", 950, "upstream timeout, giving up")
SEARCH_WARNING = Event("09:00:03", "search", "WARNING", 430, "slow query")
BILLING_WARNING = Event("09:00:04", "billing", "WARNING", 80, "card retried")
API_DEBUG = Event("09:00:05", "api", "DEBUG", 1, "health check")
ALL = [API_INFO, BILLING_DEBUG, API_ERROR, SEARCH_WARNING, BILLING_WARNING, API_DEBUG]

# An eager function (one that builds a list) would read an endless source forever.
# The sources below blow this fuse instead, so such a bug fails fast and clearly.
FUSE = 10_000


def endless_rows() -> Iterator[str]:
    """A header, then rows without end: levels DEBUG, INFO, WARNING, ERROR in turn."""
    yield HEADER
    for i in itertools.count():
        if i >= FUSE:
            raise AssertionError(f"read {FUSE} rows from an endless source: not streaming")
        yield f"10:{i % 60:02}:00,svc{i % 3},{('DEBUG', 'INFO', 'WARNING', 'ERROR')[i % 4]},{i},n{i}\n"


def endless_events() -> Iterator[Event]:
    for i in itertools.count():
        if i >= FUSE:
            raise AssertionError(f"read {FUSE} events from an endless source: not streaming")
        yield Event("10:00:00", f"svc{i % 3}", ("DEBUG", "INFO", "WARNING", "ERROR")[i % 4], i, "")


class RecordingSink:
    """A writable that keeps every string written to it, each call apart."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def text(self) -> str:
        return "".join(self.writes)


# --- read_events ------------------------------------------------------------------


def test_read_events_parses_each_row_and_skips_blank_lines() -> None:
    assert_same(list(read_events(SAMPLE)), ALL)


def test_read_events_finds_columns_by_name_and_ignores_others() -> None:
    lines = [
        "level,host,message,latency_ms,service,time\n",
        "ERROR,web-1,disk full,7,api,08:59:59\n",
    ]

    assert_same(list(read_events(lines)), [Event("08:59:59", "api", "ERROR", 7, "disk full")])


def test_read_events_of_no_input_is_empty() -> None:
    assert_same(list(read_events([])), [])


def test_read_events_of_a_header_alone_is_empty() -> None:
    assert_same(list(read_events([HEADER])), [])


@pytest.mark.weight(2)
def test_read_events_streams_from_an_endless_source() -> None:
    first = list(itertools.islice(read_events(endless_rows()), 3))

    assert_same([event.latency_ms for event in first], [0, 1, 2])


@pytest.mark.weight(2)
def test_read_events_reports_a_bad_row_only_when_it_is_reached() -> None:
    events = read_events([HEADER, "09:00:00,api,INFO,12,ok\n", "\n", "09:00:01,api,LOUD,5,hi\n"])

    assert_same(next(events), Event("09:00:00", "api", "INFO", 12, "ok"))
    with pytest.raises(ValueError, match=r"^line 4: unknown level 'LOUD'$"):
        next(events)


def test_read_events_reports_missing_columns_in_order() -> None:
    with pytest.raises(ValueError, match=r"^line 1: missing column\(s\): level, message$"):
        list(read_events(["message_text,time,service,latency_ms\n", "a,b,c,1\n"]))


@pytest.mark.parametrize(
    "row",
    ["09:00:00,api,INFO,12\n", "09:00:00,api,INFO,12,ok,extra\n", "09:00:00\n"],
    ids=["too-few", "too-many", "one"],
)
def test_read_events_reports_a_row_with_the_wrong_number_of_fields(row: str) -> None:
    with pytest.raises(ValueError, match=r"^line 3: expected 5 fields$"):
        list(read_events([HEADER, "09:00:00,api,INFO,12,ok\n", row]))


@pytest.mark.parametrize("level", ["info", "LOUD", "", "WARN"])
def test_read_events_reports_an_unknown_level(level: str) -> None:
    with pytest.raises(ValueError, match=rf"^line 2: unknown level '{level}'$"):
        list(read_events([HEADER, f"09:00:00,api,{level},12,ok\n"]))


@pytest.mark.parametrize("latency", ["-3", "fast", "", "1.5", " 7", "+2", "٣"])
def test_read_events_reports_a_latency_that_is_not_a_whole_number(latency: str) -> None:
    with pytest.raises(ValueError, match=r"^line 2: latency_ms .* is not a whole number$"):
        list(read_events([HEADER, f"09:00:00,api,INFO,{latency},ok\n"]))


def test_read_events_accepts_a_latency_of_zero() -> None:
    assert_same(
        list(read_events([HEADER, "09:00:00,api,INFO,0,ok\n"])),
        [Event("09:00:00", "api", "INFO", 0, "ok")],
    )


def test_the_columns_are_the_events_fields() -> None:
    assert_same(COLUMNS, Event._fields)


# --- select -----------------------------------------------------------------------


def test_select_keeps_info_and_above_by_default() -> None:
    assert_same(list(select(ALL)), [API_INFO, API_ERROR, SEARCH_WARNING, BILLING_WARNING])


@pytest.mark.parametrize(
    ("min_level", "expected"),
    [
        ("DEBUG", ALL),
        ("WARNING", [API_ERROR, SEARCH_WARNING, BILLING_WARNING]),
        ("ERROR", [API_ERROR]),
    ],
)
def test_select_keeps_the_minimum_level_and_above(min_level: str, expected: list[Event]) -> None:
    assert_same(list(select(ALL, min_level)), expected)


def test_select_keeps_only_the_services_given() -> None:
    assert_same(
        list(select(ALL, "DEBUG", {"billing", "search"})),
        [BILLING_DEBUG, SEARCH_WARNING, BILLING_WARNING],
    )


def test_select_combines_level_and_service() -> None:
    assert_same(list(select(ALL, "WARNING", ["api"])), [API_ERROR])


def test_select_with_no_services_keeps_nothing() -> None:
    assert_same(list(select(ALL, "DEBUG", [])), [])


def test_select_rejects_an_unknown_level_before_reading_anything() -> None:
    def untouchable() -> Iterator[Event]:
        raise AssertionError("select read its input before checking min_level")
        yield API_INFO

    with pytest.raises(ValueError, match=r"^unknown level 'LOUD'$"):
        select(untouchable(), "LOUD")


@pytest.mark.weight(2)
def test_select_streams_from_an_endless_source() -> None:
    first = list(itertools.islice(select(endless_events(), "WARNING", {"svc1", "svc2"}), 4))

    assert_same([(event.latency_ms, event.level) for event in first], [
        (2, "WARNING"), (7, "ERROR"), (10, "WARNING"), (11, "ERROR"),
    ])


# --- to_json_line -----------------------------------------------------------------


def test_to_json_line_writes_the_fields_in_order() -> None:
    assert_same(
        to_json_line(API_ERROR),
        '{"time": "09:00:02", "service": "api", "level": "ERROR", "latency_ms": 950, '
        '"message": "upstream timeout, giving up"}',
    )


def test_to_json_line_escapes_what_json_must() -> None:
    event = Event("t", "api", "INFO", 1, 'said "hi"\\ café')

    line = to_json_line(event)

    assert "\n" not in line
    assert_same(json.loads(line)["message"], 'said "hi"\\ café')


# --- export -----------------------------------------------------------------------


def test_export_writes_one_json_line_per_selected_event() -> None:
    sink = RecordingSink()

    export(SAMPLE, sink, "WARNING")

    assert_same(
        sink.text().splitlines(keepends=True),
        [to_json_line(event) + "\n" for event in (API_ERROR, SEARCH_WARNING, BILLING_WARNING)],
    )


def test_export_returns_a_summary_of_what_it_wrote() -> None:
    summary = export(SAMPLE, RecordingSink())

    assert_same(summary, ExportSummary(6, 4, {"INFO": 1, "ERROR": 1, "WARNING": 2}, 950))


def test_export_filters_by_service() -> None:
    sink = RecordingSink()

    summary = export(SAMPLE, sink, "DEBUG", ["billing"])

    assert_same(summary, ExportSummary(6, 2, {"DEBUG": 1, "WARNING": 1}, 80))
    assert_same(sink.text(), to_json_line(BILLING_DEBUG) + "\n" + to_json_line(BILLING_WARNING) + "\n")


def test_export_of_nothing_selected() -> None:
    sink = RecordingSink()

    summary = export(SAMPLE, sink, "ERROR", ["search"])

    assert_same(summary, ExportSummary(6, 0, {}, None))
    assert_same(sink.text(), "")


def test_export_keeps_the_largest_latency_even_when_it_comes_first() -> None:
    lines = [HEADER, "a,api,INFO,900,x\n", "b,api,INFO,40,y\n", "c,api,INFO,0,z\n"]

    assert_same(export(lines, RecordingSink()), ExportSummary(3, 3, {"INFO": 3}, 900))


def test_export_reads_a_generator_once() -> None:
    sink = RecordingSink()

    summary = export((line for line in SAMPLE), sink, "DEBUG")

    assert_same(summary, ExportSummary(6, 6, {"INFO": 1, "DEBUG": 2, "ERROR": 1, "WARNING": 2}, 950))


def test_export_rejects_an_unknown_level_before_reading_anything() -> None:
    def untouchable() -> Iterator[str]:
        raise AssertionError("export read its input before checking min_level")
        yield HEADER

    with pytest.raises(ValueError, match=r"^unknown level 'warning'$"):
        export(untouchable(), RecordingSink(), "warning")


@pytest.mark.weight(3)
def test_export_writes_each_event_before_reading_the_next_row() -> None:
    sink = RecordingSink()

    def rows() -> Iterator[str]:
        yield HEADER
        for i in range(5):
            written = sink.text().count("\n")
            assert written == i, f"row {i + 1} was asked for while {written} lines were written"
            yield f"09:00:0{i},api,INFO,{i},event {i}\n"

    assert_same(export(rows(), sink), ExportSummary(5, 5, {"INFO": 5}, 4))


@pytest.mark.weight(2)
def test_export_has_written_the_rows_before_a_bad_one_when_it_fails() -> None:
    sink = RecordingSink()
    lines = [HEADER, "a,api,INFO,1,x\n", "b,api,ERROR,2,y\n", "c,api,INFO,slow,z\n", "d,api,INFO,3,w\n"]

    with pytest.raises(ValueError, match=r"^line 4: latency_ms 'slow' is not a whole number$"):
        export(lines, sink)

    assert_same(sink.text().count("\n"), 2, "the two good events must already be written")


# --- describe and main -------------------------------------------------------------


def test_describe_lists_levels_in_order_of_severity() -> None:
    summary = ExportSummary(6, 4, {"ERROR": 1, "WARNING": 2, "INFO": 1}, 950)

    assert_same(describe(summary), "read 6, exported 4 (INFO 1, WARNING 2, ERROR 1), slowest 950 ms")


def test_describe_of_nothing_exported() -> None:
    assert_same(describe(ExportSummary(6, 0, {}, None)), "read 6, exported 0")


def test_main_exports_stdin_to_stdout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(SAMPLE)))

    status = main(["--min-level", "WARNING", "--service", "api", "--service", "search"])

    captured = capsys.readouterr()
    assert_same(status, 0)
    assert_same(captured.out, to_json_line(API_ERROR) + "\n" + to_json_line(SEARCH_WARNING) + "\n")
    assert_same(captured.err, "read 6, exported 2 (WARNING 1, ERROR 1), slowest 950 ms\n")


def test_main_reports_a_bad_row_and_exits_with_status_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(HEADER + "a,api,INFO,1,x\na,api,INFO\n"))

    status = main([])

    captured = capsys.readouterr()
    assert_same(status, 1)
    assert_same(captured.out, to_json_line(Event("a", "api", "INFO", 1, "x")) + "\n")
    assert_same(captured.err, "error: line 3: expected 5 fields\n")
