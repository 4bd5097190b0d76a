# How many data rows of tests/data/store-15.csv are missing from what parse_sales returns?
from nightly_report import parse_sales

with open("tests/data/store-15.csv", encoding="utf-8", newline="") as handle:
    lines = handle.readlines()
print(len(lines) - 1 - len(parse_sales(lines)))
