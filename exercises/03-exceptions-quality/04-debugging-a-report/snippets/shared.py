# Head office's job calls department_totals once per store, in one process.
from datetime import date

from nightly_report import department_totals, parse_sales

with open("tests/data/store-15.csv", encoding="utf-8", newline="") as handle:
    store_15 = parse_sales(handle)
first = department_totals(store_15, date(2024, 3, 9))
second = department_totals([], date(2024, 3, 9))  # a store that sold nothing
print(first is second, len(second))
