"""Summarise a CSV file of sales per region and save the result as JSON."""

import csv
import json
from pathlib import Path


def summarize_sales(csv_path: Path) -> tuple[dict[str, float], int]:
    """Return the total amount per region and the number of skipped rows.

    The file starts with a header naming the columns ``region``, ``product``
    and ``amount`` (in any order). Rows whose amount is missing or not a
    number are skipped and counted; blank lines are ignored. Totals are
    rounded to 2 decimals.

    Raises:
        FileNotFoundError: if ``csv_path`` does not exist.
    """
    totals: dict[str, float] = {}
    skipped = 0
    with csv_path.open(newline="", encoding="utf-8") as csv_file:
        for row in csv.DictReader(csv_file):
            try:
                # A short row has None for its missing columns: float(None)
                # raises TypeError, float("oops") raises ValueError.
                amount = float(row["amount"])
            except (TypeError, ValueError):
                skipped += 1
                continue
            region = row["region"]
            totals[region] = totals.get(region, 0.0) + amount
    return {region: round(total, 2) for region, total in totals.items()}, skipped


def write_summary(totals: dict[str, float], skipped: int, json_path: Path) -> None:
    """Write ``{"skipped_rows": ..., "totals": {...}}`` to ``json_path``.

    The JSON is formatted with ``indent=2`` and ``sort_keys=True`` and ends
    with a newline. Missing parent directories are created.
    """
    summary = {"skipped_rows": skipped, "totals": totals}
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(
        json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
