"""Summarise a CSV file of sales per region and save the result as JSON."""

import csv
import json
from pathlib import Path


def summarize_sales(csv_path: Path) -> tuple[dict[str, float], int]:
    """Return the total amount per region and the number of skipped rows.

    The file is UTF-8 CSV whose first line is a header naming the columns
    ``region``, ``product`` and ``amount`` (in any order), for example::

        region,product,amount
        North,apples,12.50
        South,pears,3
        North,plums,oops

    Return ``(totals, skipped)``:

    - ``totals`` maps each region to the sum of its amounts, rounded to
      2 decimals (``{"North": 12.5, "South": 3.0}`` above);
    - ``skipped`` counts the rows ignored because their amount is not a
      number or is missing altogether (``1`` above).

    Blank lines are ignored without being counted. Negative amounts are
    valid. A missing file raises ``FileNotFoundError``.
    """
    raise NotImplementedError


def write_summary(totals: dict[str, float], skipped: int, json_path: Path) -> None:
    """Write ``{"skipped_rows": ..., "totals": {...}}`` to ``json_path``.

    Format the JSON with ``indent=2`` and ``sort_keys=True`` and end the file
    with a newline. Create the parent directories of ``json_path`` if they
    do not exist yet.
    """
    raise NotImplementedError
