"""Tests for the fixed nightly_report.py.

Each test runs into at least one of the bugs of the module as it was handed out.
"""

from __future__ import annotations

import logging
import shutil
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pygrade_graders.compare import assert_same

from nightly_report import (
    Report,
    ReportError,
    Sale,
    build_report,
    daily_totals,
    department_totals,
    in_window,
    main,
    parse_sales,
    render,
)

DATA = Path(__file__).parent / "data"
NIGHT = date(2024, 3, 10)
HEADER = "day,department,sku,quantity,unit_price\n"

STORE_12 = """\
store 12: 2024-03-04 to 2024-03-10
by department:
  bakery          170.91
  grocery          89.07
  household       626.22
by day:
  2024-03-04      135.18
  2024-03-05      277.20
  2024-03-06       55.78
  2024-03-07      176.45
  2024-03-08       77.68
  2024-03-09       56.54
  2024-03-10      107.37
total             886.20
"""


def csv_lines(*rows: str) -> list[str]:
    return (HEADER + "".join(row + "\n" for row in rows)).splitlines(keepends=True)


def read(name: str) -> list[str]:
    return (DATA / name).read_text(encoding="utf-8").splitlines(keepends=True)


def store_15_fixed() -> list[str]:
    """Store 15's export once its two tills write a decimal point again."""
    return [line.replace('"4,99"', "4.99").replace('"2,49"', "2.49") for line in read("store-15.csv")]


def sale(day: date, department: str, quantity: int, price: str) -> Sale:
    return Sale(day, department, "SKU-1", quantity, Decimal(price))


# --- parsing --------------------------------------------------------------------------------


def test_parse_sales_reads_every_row_with_a_decimal_price() -> None:
    sales = parse_sales(
        csv_lines("2024-03-09,Bakery ,BRD-001,3,2.49", "2024-03-10,grocery, GRC-233 ,12,0.89")
    )

    assert_same(
        sales,
        [
            Sale(date(2024, 3, 9), "bakery", "BRD-001", 3, Decimal("2.49")),
            Sale(date(2024, 3, 10), "grocery", "GRC-233", 12, Decimal("0.89")),
        ],
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        pytest.param('2024-03-09,bakery,BRD-001,3,"2,49"', "line 3: bad unit_price '2,49'", id="decimal-comma"),
        pytest.param("2024-03-09,bakery,BRD-001,3,", "line 3: bad unit_price ''", id="no-price"),
        pytest.param("2024-03-09,bakery,BRD-001,three,2.49", "line 3: bad quantity 'three'", id="quantity"),
        pytest.param("2024-03-09,bakery,BRD-001,1.5,2.49", "line 3: bad quantity '1.5'", id="fraction"),
        pytest.param("09/03/2024,bakery,BRD-001,3,2.49", "line 3: bad day '09/03/2024'", id="day"),
    ],
)
def test_a_row_that_does_not_parse_stops_the_report_and_names_its_line(row: str, message: str) -> None:
    lines = csv_lines("2024-03-08,grocery,GRC-101,1,4.99", row, "2024-03-10,grocery,GRC-101,1,4.99")

    with pytest.raises(ReportError) as caught:
        parse_sales(lines)

    assert_same(str(caught.value), message)
    assert isinstance(caught.value.__cause__, (ValueError, ArithmeticError)), (
        "raise the ReportError from the error that the conversion raised"
    )


def test_the_bad_row_in_store_15s_export_is_found() -> None:
    with pytest.raises(ReportError) as caught:
        parse_sales(read("store-15.csv"))

    assert_same(str(caught.value), "line 11: bad unit_price '4,99'")


# --- the window -----------------------------------------------------------------------------


@pytest.mark.parametrize("days", [7, 1, 30])
def test_the_window_is_exactly_the_last_days_up_to_the_report_date(days: int) -> None:
    around = [NIGHT + timedelta(days=offset) for offset in range(-days - 3, 4)]

    inside = [day for day in around if in_window(day, NIGHT, days)]

    assert_same(inside, [NIGHT - timedelta(days=back) for back in range(days - 1, -1, -1)])


def test_the_window_is_seven_days_unless_told_otherwise() -> None:
    around = [NIGHT + timedelta(days=offset) for offset in range(-10, 4)]

    inside = [day for day in around if in_window(day, NIGHT)]

    assert_same(inside, [NIGHT - timedelta(days=back) for back in range(6, -1, -1)])


# --- totals ---------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_daily_totals_give_every_day_of_the_window_and_nothing_else() -> None:
    sales = [
        sale(date(2024, 3, 3), "bakery", 2, "2.49"),  # the day before the window
        sale(date(2024, 3, 4), "bakery", 1, "0.10"),
        sale(date(2024, 3, 6), "grocery", 3, "0.10"),
        sale(date(2024, 3, 6), "grocery", 3, "0.20"),
        sale(date(2024, 3, 10), "household", 1, "19.99"),
        sale(date(2024, 3, 11), "household", 1, "5.60"),  # after the report date
    ]

    totals = daily_totals(sales, NIGHT)

    assert_same(list(totals), [date(2024, 3, 4) + timedelta(days=offset) for offset in range(7)])
    assert_same(
        totals,
        {
            date(2024, 3, 4): Decimal("0.10"),
            date(2024, 3, 5): Decimal("0"),
            date(2024, 3, 6): Decimal("0.90"),
            date(2024, 3, 7): Decimal("0"),
            date(2024, 3, 8): Decimal("0"),
            date(2024, 3, 9): Decimal("0"),
            date(2024, 3, 10): Decimal("19.99"),
        },
    )


def test_daily_totals_of_a_short_window_without_sales_are_decimal_zeros() -> None:
    assert_same(
        daily_totals([], NIGHT, 2),
        {date(2024, 3, 9): Decimal("0"), date(2024, 3, 10): Decimal("0")},
    )


def test_department_totals_add_up_the_window_exactly() -> None:
    sales = [
        sale(date(2024, 3, 3), "bakery", 4, "2.49"),  # the day before the window
        sale(date(2024, 3, 4), "bakery", 3, "0.10"),
        sale(date(2024, 3, 8), "bakery", 3, "0.20"),
        sale(date(2024, 3, 10), "grocery", 12, "0.89"),
    ]

    assert_same(department_totals(sales, NIGHT), {"bakery": Decimal("0.90"), "grocery": Decimal("10.68")})


@pytest.mark.weight(2)
def test_department_totals_start_afresh_on_every_call() -> None:
    first = department_totals([sale(date(2024, 3, 9), "bakery", 1, "2.49")], NIGHT)
    second = department_totals([sale(date(2024, 3, 9), "grocery", 2, "0.89")], NIGHT)
    third = department_totals([], NIGHT)

    assert first is not second
    assert_same(first, {"bakery": Decimal("2.49")})
    assert_same(second, {"grocery": Decimal("1.78")})
    assert_same(third, {})


def test_department_totals_add_into_the_dict_they_are_given() -> None:
    chain = {"bakery": Decimal("10.00")}

    result = department_totals(
        [sale(date(2024, 3, 9), "bakery", 2, "2.49"), sale(date(2024, 3, 10), "household", 1, "19.99")],
        NIGHT,
        into=chain,
    )

    assert result is chain
    assert_same(chain, {"bakery": Decimal("14.98"), "household": Decimal("19.99")})


# --- the whole report -----------------------------------------------------------------------


@pytest.mark.weight(2)
def test_the_report_of_store_12_for_the_night_it_crashed() -> None:
    report = build_report("12", read("store-12.csv"), NIGHT)

    assert_same(
        report,
        Report(
            "12",
            NIGHT,
            {"bakery": Decimal("170.91"), "grocery": Decimal("89.07"), "household": Decimal("626.22")},
            {
                date(2024, 3, 4): Decimal("135.18"),
                date(2024, 3, 5): Decimal("277.20"),
                date(2024, 3, 6): Decimal("55.78"),
                date(2024, 3, 7): Decimal("176.45"),
                date(2024, 3, 8): Decimal("77.68"),
                date(2024, 3, 9): Decimal("56.54"),
                date(2024, 3, 10): Decimal("107.37"),
            },
            Decimal("886.20"),
        ),
    )
    assert_same(list(report.departments), ["bakery", "grocery", "household"])


def test_the_report_logs_its_sales_and_total(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="nightly_report")

    build_report("12", read("store-12.csv"), NIGHT)

    assert_same(
        [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "nightly_report"],
        [("INFO", "store 12: 34 sales, total 886.20")],
    )


def test_reports_of_two_stores_in_one_process_do_not_mix() -> None:
    build_report("12", read("store-12.csv"), NIGHT)

    report = build_report("15", store_15_fixed(), NIGHT)

    assert_same(
        report.departments,
        {"bakery": Decimal("95.08"), "grocery": Decimal("88.98"), "household": Decimal("634.21")},
    )
    assert_same(report.total, Decimal("818.27"))


def test_render_writes_the_report_of_store_12() -> None:
    assert_same(render(build_report("12", read("store-12.csv"), NIGHT)), STORE_12)


# --- the job --------------------------------------------------------------------------------


def test_the_job_prints_the_report_of_every_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(DATA / "store-12.csv", tmp_path / "store-12.csv")
    (tmp_path / "store-15.csv").write_text("".join(store_15_fixed()), encoding="utf-8")

    status = main(["--verbose", "2024-03-10", str(tmp_path / "store-12.csv"), str(tmp_path / "store-15.csv")])

    out = capsys.readouterr().out
    assert_same(status, 0)
    assert out.startswith(STORE_12 + "\n"), out
    assert "store 15: 2024-03-04 to 2024-03-10\n" in out
    assert out.endswith("total             818.27\n\n"), out


def test_the_job_reports_a_bad_file_and_goes_on_with_the_next(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = DATA / "store-15.csv"
    monkeypatch.setattr(sys, "argv", ["nightly_report.py", "2024-03-10", str(bad), str(DATA / "store-12.csv")])

    status = main()

    captured = capsys.readouterr()
    assert_same(status, 1)
    assert_same(captured.out, STORE_12 + "\n")
    assert f"error: {bad}: line 11: bad unit_price '4,99'" in captured.err.splitlines(), captured.err
