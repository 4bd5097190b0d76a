"""Tests for exporters.py."""

from __future__ import annotations

import codecs
import datetime
import decimal
import json
from collections.abc import Mapping, Sequence

import pytest
from pygrade_graders.compare import assert_same

from exporters import (
    CsvExporter,
    ExcelCsvExporter,
    Exporter,
    JsonLinesExporter,
    Registry,
    UnknownExporterError,
)

ROWS: list[dict[str, object]] = [
    {"sku": "A-1", "qty": 2},
    {"sku": "B-7", "note": "gift, wrap"},
]


class WordsExporter(Exporter):
    """A format of the tests' own: the rows' words, space-separated."""

    def render(self, rows: Sequence[Mapping[str, object]]) -> str:
        return " ".join(str(row["word"]) for row in rows)


# --- Exporter: the abstract base class -----------------------------------------


@pytest.mark.weight(2)
def test_exporter_itself_cannot_be_instantiated() -> None:
    # mypy rejects `Exporter()` outright; going through a plain type checks the runtime.
    cls: type[object] = Exporter
    with pytest.raises(TypeError, match="abstract"):
        cls()


@pytest.mark.weight(2)
def test_a_subclass_that_does_not_implement_render_cannot_be_instantiated() -> None:
    class Forgetful(Exporter):
        mime_type = "text/markdown"

    cls: type[object] = Forgetful
    with pytest.raises(TypeError, match="render"):
        cls()


@pytest.mark.weight(2)
def test_a_subclass_that_implements_render_gets_export_and_media_type() -> None:
    exporter = WordsExporter()

    assert_same(exporter.export([{"word": "tea"}, {"word": "café"}]), "tea café".encode())
    assert_same(exporter.encoding, "utf-8")
    assert_same(exporter.media_type, "text/plain; charset=utf-8")


def test_export_renders_the_rows_it_was_given_once() -> None:
    calls: list[Sequence[Mapping[str, object]]] = []

    class Recording(Exporter):
        mime_type = "text/x-test"

        def render(self, rows: Sequence[Mapping[str, object]]) -> str:
            calls.append(rows)
            return "ok"

    assert_same(Recording().export(ROWS), b"ok")
    assert_same(len(calls), 1, "export should call render exactly once")
    assert calls[0] is ROWS, "export should pass its rows to render as they are"


def test_export_encodes_with_the_exporters_encoding() -> None:
    exporter = WordsExporter("latin-1")

    assert_same(exporter.export([{"word": "Zoë"}]), b"Zo\xeb")
    assert_same(exporter.encoding, "latin-1")
    assert_same(exporter.media_type, "text/plain; charset=latin-1")


def test_export_refuses_text_the_encoding_cannot_hold() -> None:
    with pytest.raises(UnicodeEncodeError):
        WordsExporter("ascii").export([{"word": "naïve"}])


def test_an_unknown_encoding_is_refused_when_the_exporter_is_made() -> None:
    with pytest.raises(LookupError):
        WordsExporter("utf-9")


@pytest.mark.weight(2)
def test_encoding_and_media_type_are_read_only() -> None:
    exporter = CsvExporter("utf-16")
    assert_same(exporter.media_type, "text/csv; charset=utf-16")

    # setattr(...) is `exporter.encoding = ...`, which mypy would rightly reject.
    with pytest.raises(AttributeError):
        setattr(exporter, "encoding", "ascii")
    with pytest.raises(AttributeError):
        setattr(exporter, "media_type", "application/pdf")

    assert_same(exporter.encoding, "utf-16")
    assert_same(exporter.media_type, "text/csv; charset=utf-16")


# --- CsvExporter and ExcelCsvExporter ------------------------------------------


def test_csv_renders_a_header_and_a_line_per_row() -> None:
    assert_same(
        CsvExporter().render(ROWS),
        'sku,qty,note\r\nA-1,2,\r\nB-7,,"gift, wrap"\r\n',
    )


@pytest.mark.weight(2)
def test_csv_columns_are_every_key_in_order_of_first_appearance() -> None:
    rows: list[dict[str, object]] = [
        {"b": 1},
        {"a": 2, "b": 3},
        {"c": None, "a": 4},
        {},
    ]

    assert_same(CsvExporter().render(rows), "b,a,c\r\n1,,\r\n3,2,\r\n,4,\r\n,,\r\n")


def test_csv_quotes_what_needs_quoting() -> None:
    rows: list[dict[str, object]] = [{"text": 'say "hi"', "lines": "one\ntwo", "plain": "x"}]

    assert_same(
        CsvExporter().render(rows),
        'text,lines,plain\r\n"say ""hi""","one\ntwo",x\r\n',
    )


def test_csv_of_no_rows_is_empty() -> None:
    assert_same(CsvExporter().render([]), "")
    assert_same(CsvExporter().export([]), b"")


def test_csv_exports_in_its_encoding() -> None:
    exporter = CsvExporter("cp1252")

    assert_same(exporter.export([{"name": "Zoë", "price": "5 €"}]), b"name,price\r\nZo\xeb,5 \x80\r\n")
    assert_same(exporter.media_type, "text/csv; charset=cp1252")


@pytest.mark.weight(2)
def test_excel_csv_is_the_csv_behind_a_utf8_byte_order_mark() -> None:
    rows: list[dict[str, object]] = [{"name": "Zoë", "city": "Zürich"}]
    exporter = ExcelCsvExporter()

    assert_same(exporter.export(rows), codecs.BOM_UTF8 + CsvExporter().export(rows))
    assert_same(exporter.export(rows), b"\xef\xbb\xbfname,city\r\nZo\xc3\xab,Z\xc3\xbcrich\r\n")
    assert_same(exporter.render(rows), CsvExporter().render(rows), "the text is plain CSV")
    assert_same(exporter.media_type, "text/csv; charset=utf-8")
    assert isinstance(exporter, CsvExporter)


# --- JsonLinesExporter -----------------------------------------------------------


def test_json_lines_writes_one_object_per_line() -> None:
    assert_same(
        JsonLinesExporter().render(ROWS),
        '{"sku": "A-1", "qty": 2}\n{"sku": "B-7", "note": "gift, wrap"}\n',
    )


def test_json_lines_keeps_characters_and_turns_other_values_into_strings() -> None:
    rows: list[dict[str, object]] = [
        {"city": "Zürich", "on": datetime.date(2024, 5, 1), "total": decimal.Decimal("9.90")},
        {"empty": None, "ok": True, "tags": ["a", "b"]},
    ]

    data = JsonLinesExporter().export(rows)

    assert "Zürich".encode() in data, "write characters as themselves, not as \\u escapes"
    assert_same(
        [json.loads(line) for line in data.decode().splitlines()],
        [
            {"city": "Zürich", "on": "2024-05-01", "total": "9.90"},
            {"empty": None, "ok": True, "tags": ["a", "b"]},
        ],
    )


def test_json_lines_media_type_has_no_charset() -> None:
    exporter = JsonLinesExporter()

    assert_same(exporter.media_type, "application/jsonl")
    assert_same(exporter.encoding, "utf-8")
    assert_same(exporter.export([]), b"")


# --- Registry ----------------------------------------------------------------------


def test_registry_gives_back_the_registered_exporter() -> None:
    registry = Registry()
    csv, words = CsvExporter(), WordsExporter()

    registry.register("csv", csv)
    registry.register("words", words)

    assert registry.get("csv") is csv
    assert registry.get("words") is words
    assert_same(registry.get("words").export([{"word": "plugin"}]), b"plugin")


def test_registry_names_are_sorted() -> None:
    registry = Registry()
    assert_same(registry.names, ())

    for name in ["jsonl", "csv", "excel"]:
        registry.register(name, CsvExporter())

    assert_same(registry.names, ("csv", "excel", "jsonl"))


@pytest.mark.weight(2)
def test_registry_names_are_read_only() -> None:
    registry = Registry()
    registry.register("csv", CsvExporter())

    with pytest.raises(AttributeError):
        setattr(registry, "names", ("csv", "pdf"))

    assert_same(registry.names, ("csv",))


def test_registries_do_not_share_their_exporters() -> None:
    first, second = Registry(), Registry()

    first.register("csv", CsvExporter())

    assert_same(second.names, ())
    second.register("csv", JsonLinesExporter())
    assert isinstance(first.get("csv"), CsvExporter)


@pytest.mark.weight(2)
def test_a_name_can_be_registered_only_once() -> None:
    registry = Registry()
    original = CsvExporter()
    registry.register("csv", original)

    with pytest.raises(ValueError, match="'csv'"):
        registry.register("csv", JsonLinesExporter())

    assert registry.get("csv") is original


def test_an_empty_name_is_refused() -> None:
    registry = Registry()

    with pytest.raises(ValueError):
        registry.register("", CsvExporter())

    assert_same(registry.names, ())


class DuckExporter:
    """Has a render method, but is no Exporter."""

    def render(self, rows: Sequence[Mapping[str, object]]) -> str:
        return ""


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "thing",
    [CsvExporter, DuckExporter(), None, "csv"],
    ids=["a-class", "duck-typed", "none", "a-string"],
)
def test_only_exporter_instances_can_be_registered(thing: object) -> None:
    registry = Registry()
    # mypy would rightly reject `registry.register("pdf", thing)`: the test goes around it.
    register = getattr(registry, "register")

    with pytest.raises(TypeError, match="'pdf'"):
        register("pdf", thing)

    assert_same(registry.names, ())


@pytest.mark.weight(2)
def test_getting_an_unknown_name_lists_the_known_ones() -> None:
    registry = Registry()
    registry.register("jsonl", JsonLinesExporter())
    registry.register("csv", CsvExporter())

    with pytest.raises(KeyError) as caught:
        registry.get("xml")

    error = caught.value
    assert isinstance(error, UnknownExporterError)
    assert_same(error.name, "xml")
    assert_same(error.known, ("csv", "jsonl"))
    assert_same(str(error), "unknown exporter 'xml'; known: csv, jsonl")


def test_getting_from_an_empty_registry_says_none_is_known() -> None:
    with pytest.raises(UnknownExporterError) as caught:
        Registry().get("csv")

    assert_same(caught.value.known, ())
    assert_same(str(caught.value), "unknown exporter 'csv'; known: (none)")
