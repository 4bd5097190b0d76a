"""Tests for csv_summary.py."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pygrade_graders.compare import assert_same

from csv_summary import summarize_sales, write_summary

HEADER = "region,product,amount\n"


@pytest.fixture
def make_csv(tmp_path: Path) -> Callable[[str], Path]:
    """Return a function that writes CSV text to a file and gives its path."""

    def make(text: str) -> Path:
        path = tmp_path / "sales.csv"
        path.write_text(text, encoding="utf-8")
        return path

    return make


def test_amounts_are_summed_per_region(make_csv: Callable[[str], Path]) -> None:
    path = make_csv(HEADER + "North,apples,12.50\nSouth,pears,3\nNorth,plums,7.25\n")
    assert_same(summarize_sales(path), ({"North": 19.75, "South": 3.0}, 0))


def test_columns_may_come_in_any_order(make_csv: Callable[[str], Path]) -> None:
    path = make_csv("amount,region,product\n5,East,kiwis\n2.5,East,figs\n")
    assert_same(summarize_sales(path), ({"East": 7.5}, 0))


def test_totals_are_rounded_to_cents(make_csv: Callable[[str], Path]) -> None:
    path = make_csv(HEADER + "West,a,0.1\nWest,b,0.2\n")
    totals, _ = summarize_sales(path)
    assert_same(totals, {"West": 0.3}, "0.1 + 0.2 must be reported as 0.3")


def test_negative_amounts_are_refunds(make_csv: Callable[[str], Path]) -> None:
    path = make_csv(HEADER + "North,apples,10\nNorth,apples,-4\n")
    assert_same(summarize_sales(path), ({"North": 6.0}, 0))


def test_header_only_file_has_no_totals(make_csv: Callable[[str], Path]) -> None:
    assert_same(summarize_sales(make_csv(HEADER)), ({}, 0))


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "bad_amount", ["oops", "", "1.2.3", '"1,000"', "12 EUR"]
)
def test_rows_with_non_numeric_amount_are_skipped_and_counted(
    make_csv: Callable[[str], Path], bad_amount: str
) -> None:
    path = make_csv(HEADER + f"North,apples,10\nNorth,plums,{bad_amount}\n")
    assert_same(summarize_sales(path), ({"North": 10.0}, 1))


@pytest.mark.weight(2)
def test_rows_without_an_amount_are_skipped_and_counted(
    make_csv: Callable[[str], Path],
) -> None:
    path = make_csv(HEADER + "North,apples\nSouth\nSouth,pears,4\n")
    assert_same(
        summarize_sales(path),
        ({"South": 4.0}, 2),
        "a row too short to have an amount must be skipped, not crash",
    )


def test_blank_lines_are_ignored_and_not_counted(
    make_csv: Callable[[str], Path],
) -> None:
    path = make_csv(HEADER + "\nNorth,apples,1\n\n\nNorth,pears,2\n\n")
    assert_same(summarize_sales(path), ({"North": 3.0}, 0))


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        summarize_sales(tmp_path / "no-such-file.csv")


def test_summary_json_holds_totals_and_skip_count(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    write_summary({"South": 3.0, "North": 12.5}, 2, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert_same(data, {"skipped_rows": 2, "totals": {"North": 12.5, "South": 3.0}})


@pytest.mark.weight(2)
def test_summary_json_is_indented_and_sorted(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    write_summary({"South": 3.0, "North": 12.5}, 0, path)
    expected = (
        "{\n"
        '  "skipped_rows": 0,\n'
        '  "totals": {\n'
        '    "North": 12.5,\n'
        '    "South": 3.0\n'
        "  }\n"
        "}\n"
    )
    assert_same(path.read_text(encoding="utf-8"), expected)


def test_write_summary_creates_missing_directories(tmp_path: Path) -> None:
    path = tmp_path / "reports" / "2024" / "summary.json"
    write_summary({}, 0, path)
    assert path.is_file(), "parent directories should be created"
