"""Checks a batch's report.html in a real browser: headless chromium through chromedriver.

    check_report.py REPORT_HTML GRADEBOOK_CSV [--learners DIR] [--shows TEXT]...

The page must load without a console error, show for every learner the numbers that
gradebook.csv holds (an empty cell there is an exercise not started, a dash on the page), sort
its rows when a column's heading is clicked (numbers numerically with not started below 0,
names by code point; a first click sorts numbers down and names up, a second turns the order), and show a learner's details on a
click of the learner or of a cell: each exercise's status and points, and with --learners
(the batch's learners/ folder) the kind of each check and the name of the first failing test
of each, from the learner's own JSON report. Each --shows TEXT must appear, as text, in the
table or in some learner's details; the page must never hold an image, nor open a dialog.

Exits 0 when everything holds; otherwise prints what did not and exits 1. Exits 2 when the
browser cannot be started.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, cast
from urllib.parse import unquote, urlparse

from selenium import webdriver
from selenium.webdriver import Chrome
from selenium.common.exceptions import UnexpectedAlertPresentException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("PYGRADE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PYGRADE_CHROMEDRIVER", "/usr/bin/chromedriver")
# The characters gradebook.csv guards a cell with a leading `'` against.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NOT_STARTED = "\u2013"


@dataclass
class Expected:
    """A learner's row of gradebook.csv: a score per exercise (None: not started)."""

    name: str
    cells: dict[str, float | None]
    total: float
    percent: float


@dataclass
class Shown:
    """A learner's row as the page shows it."""

    name: str
    cells: dict[str, str]
    total: str
    percent: str


class Failed(Exception):
    """Something the page shows is not what it should be."""


def read_gradebook(path: Path) -> tuple[list[str], list[Expected]]:
    """The exercise ids of gradebook.csv, and its learners' rows (the `(max)` row aside)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    ids = header[1:-3]
    learners = []
    for row in rows[1:]:
        name = row[0]
        if name == "(max)":
            continue
        if name.startswith("'") and name[1:].startswith(FORMULA_STARTS):
            name = name[1:]
        cells = {i: (float(v) if v else None) for i, v in zip(ids, row[1:-3], strict=True)}
        learners.append(Expected(name, cells, float(row[-3]), float(row[-2])))
    return ids, learners


def start_browser() -> Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        # Root, as in CI, cannot use chromium's own sandbox; the page is ours.
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


def console_errors(driver: Chrome) -> list[str]:
    """The browser's console entries of level SEVERE since the last call."""
    # Selenium leaves get_log untyped: it returns the log's entries as dicts.
    get_log = cast(Callable[[str], list[dict[str, Any]]], driver.get_log)
    entries = get_log("browser")
    return [str(e.get("message")) for e in entries if e.get("level") == "SEVERE"]


def shown_rows(driver: Chrome) -> list[Shown]:
    rows = cast(
        list[dict[str, Any]],
        driver.execute_script(
            """
            return [...document.querySelectorAll('#grades tbody tr')].map(tr => ({
              name: tr.dataset.learner,
              cells: [...tr.querySelectorAll('td[data-exercise]')]
                .map(td => [td.dataset.exercise, td.innerText.trim()]),
              total: tr.querySelector('td.total').innerText.trim(),
              percent: tr.querySelector('td.percent').innerText.trim(),
            }));
            """
        ),
    )
    return [
        Shown(str(r["name"]), {str(k): str(v) for k, v in r["cells"]}, str(r["total"]), str(r["percent"]))
        for r in rows
    ]


def same_number(shown: str, expected: float) -> bool:
    try:
        return math.isclose(float(shown), expected, abs_tol=0.005)
    except ValueError:
        return False


def check_numbers(driver: Chrome, ids: list[str], expected: list[Expected]) -> None:
    headings = cast(
        list[str],
        driver.execute_script(
            "return [...document.querySelectorAll('#grades thead th[data-exercise]')]"
            ".map(th => th.dataset.exercise);"
        ),
    )
    if headings != ids:
        raise Failed(f"the exercise columns are {headings}, gradebook.csv has {ids}")
    shown = shown_rows(driver)
    if [s.name for s in shown] != [e.name for e in expected]:
        raise Failed(
            f"the learners shown are {[s.name for s in shown]}, gradebook.csv has {[e.name for e in expected]}"
        )
    wrong = []
    for s, e in zip(shown, expected, strict=True):
        for exercise, score in e.cells.items():
            cell = s.cells.get(exercise)
            ok = cell == NOT_STARTED if score is None else cell is not None and same_number(cell, score)
            if not ok:
                wrong.append(f"{e.name}, {exercise}: shows {cell!r}, gradebook.csv has {score}")
        if not same_number(s.total, e.total):
            wrong.append(f"{e.name}: total {s.total!r}, gradebook.csv has {e.total}")
        if not same_number(s.percent, e.percent):
            wrong.append(f"{e.name}: percent {s.percent!r}, gradebook.csv has {e.percent}")
    if wrong:
        raise Failed("wrong numbers:\n" + "\n".join(wrong))


def click_heading(driver: Chrome, selector: str) -> str:
    """Clicks the sort button of the heading `selector` names; returns its aria-sort."""
    heading = driver.find_element(By.CSS_SELECTOR, selector)
    heading.find_element(By.CSS_SELECTOR, "button.sort").click()
    return str(heading.get_attribute("aria-sort"))


def check_sorting(driver: Chrome, ids: list[str], expected: list[Expected]) -> None:
    order = {e.name: i for i, e in enumerate(expected)}

    def by(key: Any, descending: bool) -> list[str]:
        # Ties keep the name order, whichever way the column sorts.
        ranked = sorted(expected, key=lambda e: order[e.name])
        ranked.sort(key=key, reverse=descending)  # stable both ways
        return [e.name for e in ranked]

    def shown() -> list[str]:
        return [s.name for s in shown_rows(driver)]

    # An exercise that someone has not started, if any: that is where sorting is subtle.
    exercise = next((i for i in ids if any(e.cells[i] is None for e in expected)), ids[0])
    columns: list[tuple[str, str, Any]] = [
        ("total", "#grades thead th[data-key]:nth-last-child(2)", lambda e: e.total),
        (
            f"exercise {exercise}",
            f'#grades thead th[data-exercise="{exercise}"]',
            lambda e: -1.0 if e.cells[exercise] is None else e.cells[exercise],
        ),
    ]
    for label, selector, key in columns:
        for direction in ("descending", "ascending"):
            got = click_heading(driver, selector)
            if got != direction:
                raise Failed(f"sorting by {label}: the heading says {got!r}, not {direction!r}")
            want = by(key, direction == "descending")
            if shown() != want:
                raise Failed(f"sorted by {label}, {direction}: the rows are {shown()}, not {want}")
    # Names sort up on a first click, down on a second.
    for direction in ("ascending", "descending"):
        got = click_heading(driver, "#grades thead th.name")
        want = sorted((e.name for e in expected), reverse=direction == "descending")
        if got != direction or shown() != want:
            raise Failed(f"sorted by name, {direction} ({got}): the rows are {shown()}, not {want}")


def details_text(driver: Chrome) -> str:
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "details").is_displayed())
    return str(driver.find_element(By.ID, "details").text)


def check_details(
    driver: Chrome, report: Path, ids: list[str], expected: list[Expected], learners: Path | None
) -> str:
    """Opens every learner's details, checks them, and returns all their texts."""
    seen = []
    for e in expected:
        row = driver.find_element(By.CSS_SELECTOR, f"#grades tbody tr[data-learner={json.dumps(e.name)}]")
        row.find_element(By.CSS_SELECTOR, "button.learner").click()
        text = details_text(driver)
        seen.append(text)
        images = cast(int, driver.execute_script("return document.images.length;"))
        if images:
            raise Failed(f"learner text became markup: {e.name}'s details hold {images} images")
        heading = driver.find_element(By.CSS_SELECTOR, "#details h2").text
        if not heading.startswith(f"{e.name}:"):
            raise Failed(f"{e.name}'s details are headed {heading!r}")
        links = [
            str(a.get_attribute("href")) for a in driver.find_elements(By.CSS_SELECTOR, "#details a")
        ]
        linked = [Path(unquote(urlparse(link).path)) for link in links]
        for ext in (".md", ".json"):
            file = report.parent / "learners" / f"{e.name}{ext}"
            if file not in linked:
                raise Failed(f"{e.name}'s details do not link {file}: {links}")
            if learners is not None and not file.is_file():
                raise Failed(f"{e.name}'s details link {file}, which is not there")
        articles = driver.find_elements(By.CSS_SELECTOR, "#details article")
        if [a.get_attribute("data-exercise") for a in articles] != ids:
            raise Failed(f"{e.name}'s details do not list each exercise once, in order")
        for exercise, article in zip(ids, articles, strict=True):
            status = article.find_element(By.CSS_SELECTOR, ".status").text
            score = e.cells[exercise]
            if (score is None) != (status == "not-started"):
                raise Failed(f"{e.name}, {exercise}: the details say {status!r}, gradebook.csv has {score}")
            if score is not None and f": {_points(score)} of " not in article.text:
                raise Failed(f"{e.name}, {exercise}: the details do not show {score} points:\n{article.text}")
        if learners is not None:
            check_against_report(e.name, text, learners / f"{e.name}.json")
    # A click on a cell opens that learner's details at that exercise.
    last = expected[-1]
    cell = driver.find_element(
        By.CSS_SELECTOR,
        f"#grades tbody tr[data-learner={json.dumps(last.name)}] td[data-exercise={json.dumps(ids[-1])}]",
    )
    cell.click()
    details_text(driver)
    focused = driver.find_elements(By.CSS_SELECTOR, "#details article.focused")
    heading = driver.find_element(By.CSS_SELECTOR, "#details h2").text
    if not heading.startswith(f"{last.name}:") or [f.get_attribute("data-exercise") for f in focused] != [ids[-1]]:
        raise Failed(f"a click on {last.name}'s {ids[-1]} cell did not show it: {heading!r}")
    return "\n".join(seen)


def _points(score: float) -> str:
    """A score as the page writes it (2.0 as 2, 2.5 as 2.5)."""
    return f"{score:.2f}".rstrip("0").rstrip(".")


def check_against_report(name: str, text: str, report: Path) -> None:
    """Each started exercise's checks, and the first failing test of each, are in the details."""
    data = json.loads(report.read_text(encoding="utf-8"))
    for exercise in data["exercises"]:
        if not exercise["started"]:
            continue
        for check in exercise["checks"]:
            line = f"{check['kind']} {check['status']}, {_points(check['score'])} of {_points(check['max_score'])}"
            if line not in text:
                raise Failed(f"{name}, {exercise['id']}: the details lack {line!r}:\n{text}")
            failing = [t for t in check["tests"] if t["status"] not in ("pass", "not-run")]
            # The page cuts long names.
            if failing and str(failing[0]["name"])[:100] not in text:
                raise Failed(f"{name}, {exercise['id']}: the details lack the failing test {failing[0]['name']!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("gradebook", type=Path)
    parser.add_argument("--learners", type=Path, help="the batch's learners/ folder")
    parser.add_argument("--shows", action="append", default=[], help="a text the page must show as text")
    args = parser.parse_args()
    ids, expected = read_gradebook(args.gradebook)
    try:
        driver = start_browser()
    except WebDriverException as e:
        print(f"cannot start {CHROMIUM} through {CHROMEDRIVER}: {e.msg}", file=sys.stderr)
        return 2
    try:
        driver.get(args.report.resolve().as_uri())
        WebDriverWait(driver, 10).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#grades tbody tr")) == len(expected)
        )
        errors = console_errors(driver)
        if errors:
            raise Failed("the page logged errors as it loaded:\n" + "\n".join(errors))
        check_numbers(driver, ids, expected)
        check_sorting(driver, ids, expected)
        seen = check_details(driver, args.report.resolve(), ids, expected, args.learners) + "\n" + str(
            driver.find_element(By.ID, "grades").text
        )
        for text in args.shows:
            if text not in seen:
                raise Failed(f"the page never shows {text!r} as text")
        images = cast(int, driver.execute_script("return document.images.length;"))
        if images:
            raise Failed(f"learner text became markup: the page holds {images} images")
        errors = console_errors(driver)
        if errors:
            raise Failed("the page logged errors:\n" + "\n".join(errors))
    except Failed as e:
        print(f"report.html: {e}", file=sys.stderr)
        return 1
    except UnexpectedAlertPresentException as e:
        print(f"report.html: learner text ran as script: a dialog opened ({e.alert_text})", file=sys.stderr)
        return 1
    finally:
        driver.quit()
    print(f"report.html: {len(expected)} learners and {len(ids)} exercises shown right; sorting and details work")
    return 0


if __name__ == "__main__":
    sys.exit(main())
