#!/usr/bin/env python3
"""Do timing and memory verdicts hold on a noisy machine?

Grades each timing and memory fixture of `fixtures/submissions/` RUNS times in a row (default
20), once on an idle machine and once with every core kept busy by another process, and
prints the confusion table: for each fixture and condition, how often the graded checks
(timing, memory) came out as expected. Also prints the median figure measured. Run from the
repository root:

    python3 benches/timing_verdicts.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fixtures import ROOT, lay

PAIR_SUMS = "07-performance/02-pair-sums"
STREAMING = "07-performance/03-streaming-stats"

# fixture -> (exercise, expected status of its timing/memory checks: "pass" or "fail")
FIXTURES: dict[str, tuple[str, str]] = {
    "timing-equivalent": (PAIR_SUMS, "pass"),
    "timing-3x-slower": (PAIR_SUMS, "fail"),
    "timing-quadratic": (PAIR_SUMS, "fail"),
    "timing-fast-wrong": (PAIR_SUMS, "fail"),
    "memory-generator": (STREAMING, "pass"),
    "memory-materialises-list": (STREAMING, "fail"),
}


@contextmanager
def load(active: bool) -> Iterator[None]:
    """Keeps every core busy with a spinning process while active."""
    spinners = []
    if active:
        for _ in range(os.cpu_count() or 1):
            spinners.append(subprocess.Popen(["python3", "-c", "while True: pass"]))
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def figure(check: dict[str, Any]) -> float | None:
    m = check.get("measurement") or {}
    for key in ("ratio", "exponent", "peak_bytes"):
        if key in m:
            return float(m[key])
    return None


def verdict(fixture_checks: list[dict[str, Any]], expected: str) -> bool:
    """Expected `pass`: every graded check passed. Expected `fail`: at least one failed."""
    passed = [c["status"] == "pass" for c in fixture_checks]
    return all(passed) if expected == "pass" else not all(passed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    pygrade = ROOT / "target" / "release" / "pygrade"

    print(f"{'fixture':<26} {'expected':<9} {'condition':<10} {'as expected':>12} {'median figures (per check)'}")
    with tempfile.TemporaryDirectory(prefix="pygrade-verdicts-") as tmp:
        for fixture, (exercise, expected) in FIXTURES.items():
            workspace = Path(tmp) / fixture
            subprocess.run([pygrade, "init", workspace], check=True, stdout=subprocess.DEVNULL)
            lay(ROOT / "fixtures" / "submissions" / fixture / exercise, workspace / exercise, exercise)
            for condition in ("idle", "loaded"):
                good = 0
                figures: dict[str, list[float]] = {}
                with load(condition == "loaded"):
                    for _ in range(options.runs):
                        done = subprocess.run(
                            [pygrade, "check", exercise, "--workspace", workspace, "--format", "json"],
                            capture_output=True,
                        )
                        report = json.loads(done.stdout)
                        checks = [c for c in report["exercises"][0]["checks"] if c["kind"] in ("timing", "memory")]
                        good += verdict(checks, expected)
                        for i, c in enumerate(checks):
                            value = figure(c)
                            if value is not None:
                                figures.setdefault(f"{c['kind']}{i}", []).append(value)
                shown = ", ".join(f"{k}={statistics.median(v):.3g}" for k, v in figures.items())
                print(f"{fixture:<26} {expected:<9} {condition:<10} {good:>8}/{options.runs:<3} {shown}")


if __name__ == "__main__":
    main()
