"""Nightly sales report: each store's takings of the last seven days, by department and by day.

The scheduler runs it every night at 02:00 on the files the shop systems exported:

    python nightly_report.py 2024-03-10 tests/data/store-12.csv tests/data/store-15.csv

Each file is a CSV with the header ``day,department,sku,quantity,unit_price``.
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

logger = logging.getLogger("nightly_report")

DAYS = 7


@dataclass(frozen=True)
class Sale:
    day: date
    department: str
    sku: str
    quantity: int
    unit_price: float


@dataclass(frozen=True)
class Report:
    store: str
    report_date: date
    departments: dict[str, float]
    days: dict[date, float]
    total: float


class ReportError(Exception):
    """A sales file that no report can be built from."""


def parse_sales(lines: Iterable[str]) -> list[Sale]:
    """The sales in a CSV file's lines, header first."""
    sales = []
    for number, row in enumerate(csv.DictReader(lines), start=2):
        try:
            sale = Sale(
                day=date.fromisoformat(row["day"]),
                department=row["department"].strip().lower(),
                sku=row["sku"].strip(),
                quantity=int(row["quantity"]),
                unit_price=float(row["unit_price"]),
            )
        except ValueError:
            logger.debug("line %d: skipped", number)
            continue
        sales.append(sale)
    return sales


def report_window(report_date: date, days: int = DAYS) -> list[date]:
    """The days a report covers, oldest first: ``days`` days ending on ``report_date``."""
    return [report_date - timedelta(days=back) for back in range(days - 1, -1, -1)]


def in_window(day: date, report_date: date, days: int = DAYS) -> bool:
    """Whether a sale made on ``day`` counts in the report for ``report_date``."""
    start = report_date - timedelta(days=days)
    return start <= day <= report_date


def department_totals(
    sales: Iterable[Sale], report_date: date, days: int = DAYS, into: dict[str, float] = {}
) -> dict[str, float]:
    """The takings of each department in the window, added to ``into``.

    Head office passes one ``into`` for every store, to get the chain's totals.
    """
    for sale in sales:
        if in_window(sale.day, report_date, days):
            into[sale.department] = into.get(sale.department, 0.0) + sale.quantity * sale.unit_price
    return into


def daily_totals(sales: Iterable[Sale], report_date: date, days: int = DAYS) -> dict[date, float]:
    """The takings of every day of the window, oldest first; a day without sales has 0."""
    totals = {day: 0.0 for day in report_window(report_date, days)}
    for sale in sales:
        if in_window(sale.day, report_date, days):
            totals[sale.day] += sale.quantity * sale.unit_price
    return totals


def build_report(store: str, lines: Iterable[str], report_date: date, days: int = DAYS) -> Report:
    sales = parse_sales(lines)
    departments = department_totals(sales, report_date, days)
    by_day = daily_totals(sales, report_date, days)
    total = sum(departments.values())
    if total != sum(by_day.values()):
        logger.warning(
            "store %s: totals do not reconcile: by department %s, by day %s",
            store,
            total,
            sum(by_day.values()),
        )
    logger.info("store %s: %d sales, total %s", store, len(sales), total)
    return Report(store, report_date, dict(sorted(departments.items())), by_day, total)


def render(report: Report) -> str:
    first = min(report.days)
    lines = [f"store {report.store}: {first} to {report.report_date}", "by department:"]
    lines += [f"  {name:<12}{amount:>10.2f}" for name, amount in report.departments.items()]
    lines.append("by day:")
    lines += [f"  {day.isoformat():<12}{amount:>10.2f}" for day, amount in report.days.items()]
    lines.append(f"total         {report.total:>10.2f}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the nightly sales report of each store.")
    parser.add_argument("date", type=date.fromisoformat, help="the report's last day, YYYY-MM-DD")
    parser.add_argument("files", nargs="+", type=Path, help="one CSV export per store, store-NN.csv")
    parser.add_argument("--verbose", action="store_true", help="log at DEBUG")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for path in args.files:
        store = path.stem.removeprefix("store-")
        with path.open(encoding="utf-8", newline="") as handle:
            report = build_report(store, handle, args.date)
        print(render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
