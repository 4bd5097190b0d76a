#!/usr/bin/env python3
"""Do timing and memory verdicts hold while the machine is busy with other work?

Grades, RUNS times (default 20), while both cores are kept busy by other processes (a CPU
spinner per core and a parallel `cargo build` of pygrade, restarted whenever it finishes):

- the references: a workspace holding every exercise's reference solution, graded whole;
  every timing and memory check must pass;
- the starters: a workspace holding every exercise's starter, touched so that it counts as
  started, graded whole; every timing and memory check must fail (the bank's performance
  starters are correct but slow, or allocate too much);
- the timing and memory fixtures of `fixtures/submissions/`, each in a workspace of its own,
  with the verdict the fixture is made for.

It counts the wrong verdicts (a pass that should fail, or the reverse) and the inconclusive
ones (the machine too noisy to decide: not a wrong verdict, but worth knowing), and prints the
figures measured. The target is 0 wrong. Run from the repository root:

    python3 benches/load_verdicts.py [--runs N] [--load spinners|build|both|none]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fixtures import ROOT, lay

MEASURED = ("timing", "memory")
PAIR_SUMS = "07-performance/02-pair-sums"
STREAMING = "07-performance/03-streaming-stats"

# fixture -> (exercise, expected status of each of its timing and memory checks, in order:
# pair sums has a growth check, then a ratio check)
FIXTURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "timing-equivalent": (PAIR_SUMS, ("pass", "pass")),
    "timing-3x-slower": (PAIR_SUMS, ("pass", "fail")),  # linear: grows as it may, 3x too slow
    "timing-quadratic": (PAIR_SUMS, ("fail", "fail")),
    "memory-generator": (STREAMING, ("pass",)),
    "memory-materialises-list": (STREAMING, ("fail",)),
}


@dataclass
class Tally:
    """The verdicts one subject's measured checks got over the runs."""

    expected: tuple[str, ...]
    right: int = 0
    wrong: int = 0
    inconclusive: int = 0
    other: list[str] = field(default_factory=list)
    figures: dict[str, list[float]] = field(default_factory=dict)

    def add(self, check_id: str, nth: int, check: dict[str, Any]) -> None:
        """Counts the verdict of the subject's `nth` measured check."""
        expected = self.expected[min(nth, len(self.expected) - 1)]
        status = check["status"]
        if status == "inconclusive":
            self.inconclusive += 1
        elif status not in ("pass", "fail"):
            self.other.append(f"{check_id}: {status}: {check.get('message')}")
        elif status == expected:
            self.right += 1
        else:
            self.wrong += 1
            self.other.append(f"WRONG {check_id}: {status}: {check.get('message')}")
        figure = measured_figure(check)
        if figure is not None:
            self.figures.setdefault(check_id, []).append(figure)


def measured_figure(check: dict[str, Any]) -> float | None:
    measurement = check.get("measurement") or {}
    for key in ("ratio", "exponent", "peak_bytes"):
        if key in measurement:
            return float(measurement[key])
    return None


def spin() -> subprocess.Popen[bytes]:
    return subprocess.Popen(["python3", "-c", "while True: pass"])


def build_forever(stop: threading.Event, target: Path) -> None:
    """Builds pygrade from scratch in `target` on every core, again and again, until `stop`."""
    while not stop.is_set():
        shutil.rmtree(target, ignore_errors=True)
        build = subprocess.Popen(
            ["cargo", "build", "--release", "--quiet", "--target-dir", str(target)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while build.poll() is None:
            if stop.wait(0.5):
                build.kill()
                build.wait()
                return


@contextmanager
def load(kind: str, scratch: Path) -> Iterator[None]:
    """Keeps the machine busy while inside: a spinner per core, a parallel build, or both."""
    spinners = [spin() for _ in range(os.cpu_count() or 1)] if kind in ("spinners", "both") else []
    stop = threading.Event()
    builder = threading.Thread(target=build_forever, args=(stop, scratch / "build-load"))
    if kind in ("build", "both"):
        builder.start()
    try:
        yield
    finally:
        stop.set()
        if builder.is_alive():
            builder.join()
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def grade(pygrade: Path, workspace: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        [str(pygrade), "check", "--workspace", str(workspace), "--format", "json"],
        capture_output=True,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"pygrade could not grade {workspace}: {done.stderr.decode()}")
    exercises: list[dict[str, Any]] = json.loads(done.stdout)["exercises"]
    return exercises


def lay_side(pygrade: Path, workspace: Path, side: str) -> None:
    """A workspace whose every exercise holds the bank's `side` files (reference or starter),
    touched so that a starter counts as started."""
    subprocess.run([str(pygrade), "init", str(workspace)], check=True, stdout=subprocess.DEVNULL)
    for folder in sorted((ROOT / "exercises").glob(f"*/*/{side}")):
        exercise = folder.parent.relative_to(ROOT / "exercises")
        for file in folder.rglob("*.py"):
            target = workspace / exercise / file.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(file.read_text(encoding="utf-8") + "\n# graded under load\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--load", choices=("spinners", "build", "both", "none"), default="both")
    options = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)

    with tempfile.TemporaryDirectory(prefix="pygrade-load-") as tmp:
        scratch = Path(tmp)
        # A copy, so that a build meanwhile does not change the binary under test.
        pygrade = scratch / "pygrade"
        shutil.copy2(ROOT / "target" / "release" / "pygrade", pygrade)
        # name -> workspace, expected verdicts, the one exercise graded (None: all)
        subjects: dict[str, tuple[Path, tuple[str, ...], str | None]] = {}
        for side, verdict in (("reference", "pass"), ("starter", "fail")):
            workspace = scratch / side
            lay_side(pygrade, workspace, side)
            subjects[f"every {side}"] = (workspace, (verdict,), None)
        for fixture, (exercise_id, verdicts) in FIXTURES.items():
            workspace = scratch / fixture
            subprocess.run([str(pygrade), "init", str(workspace)], check=True, stdout=subprocess.DEVNULL)
            lay(ROOT / "fixtures" / "submissions" / fixture / exercise_id, workspace / exercise_id, exercise_id)
            subjects[fixture] = (workspace, verdicts, exercise_id)

        tallies = {name: Tally(expected) for name, (_, expected, _) in subjects.items()}
        seconds: list[float] = []
        with load(options.load, scratch):
            for run in range(1, options.runs + 1):
                started = time.monotonic()
                for name, (workspace, _, only) in subjects.items():
                    for exercise in grade(pygrade, workspace):
                        if only is not None and exercise["id"] != only:
                            continue
                        measured = [(i, c) for i, c in enumerate(exercise["checks"]) if c["kind"] in MEASURED]
                        for nth, (i, check) in enumerate(measured):
                            tallies[name].add(f"{exercise['id']} {check['kind']} #{i + 1}", nth, check)
                seconds.append(time.monotonic() - started)
                wrong = sum(t.wrong for t in tallies.values())
                print(f"run {run}/{options.runs}: {seconds[-1]:.0f} s, {wrong} wrong so far", flush=True)

    print(f"\nload: {options.load}; {options.runs} runs of every subject; {statistics.median(seconds):.0f} s per run (median)\n")
    print(f"{'subject':<26} {'expected':<9} {'right':>6} {'wrong':>6} {'inconcl.':>9}  median figure per check")
    for name, tally in tallies.items():
        shown = "; ".join(f"{check} {statistics.median(v):.3g}" for check, v in tally.figures.items())
        print(f"{name:<26} {'/'.join(tally.expected):<9} {tally.right:>6} {tally.wrong:>6} {tally.inconclusive:>9}  {shown}")
    problems = [line for tally in tallies.values() for line in tally.other]
    if problems:
        print("\nverdicts other than the expected pass or fail:")
        for line in problems:
            print(f"  {line}")
    total_wrong = sum(t.wrong for t in tallies.values())
    total = sum(t.right + t.wrong + t.inconclusive for t in tallies.values())
    print(f"\n{total_wrong} wrong verdicts of {total} measured checks")


if __name__ == "__main__":
    main()
