#!/usr/bin/env python3
"""How much time pygrade adds on top of the Python tools it runs.

For one exercise (word count, solved), each check kind is graded alone by `pygrade check`
with one job, and the same work is done bare: the plain pytest command, the plain mypy
command (with a warm cache, as pygrade's), and the program once per output case. Each is
timed over several runs; the medians and their ratio are printed. The target is a ratio of
at most 1.10 per check. Run from the repository root:

    python3 benches/overhead.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = "01-foundations/01-word-count"
LEARNER_FILE = "word_count.py"

CHECKS = {
    "pytest": '[[check]]\nkind = "pytest"\npoints = 6\n',
    "mypy": '[[check]]\nkind = "mypy"\npoints = 2\n',
    "output": '[[check]]\nkind = "output"\npoints = 2\ncommand = ["python", "word_count.py"]\n',
}


def timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def medians(bare: Callable[[], None], graded: Callable[[], None], runs: int) -> tuple[float, float]:
    """Median wall times of both, measured in alternation so that drift in the machine's load
    falls on both alike; one warm-up run each (page cache, mypy's cache)."""
    bare()
    graded()
    pairs = [(timed(bare), timed(graded)) for _ in range(runs)]
    return statistics.median(b for b, _ in pairs), statistics.median(g for _, g in pairs)


# The bank's tests import the comparison helpers of the graders package, as under pygrade.
BARE_ENV = {**os.environ, "PYTHONPATH": str(ROOT / "graders")}


def run(args: list[str | Path], cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> None:
    done = subprocess.run(
        args, cwd=cwd, env=BARE_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    if done.returncode not in ok:
        sys.exit(f"{args} failed with {done.returncode}: {done.stderr.decode()}")


def bank_with_one_check(base: Path, kind: str) -> Path:
    """A bank holding only the exercise, its manifest reduced to one check."""
    bank = base / f"bank-{kind}"
    shutil.copytree(ROOT / "exercises" / EXERCISE, bank / EXERCISE)
    manifest = bank / EXERCISE / "exercise.toml"
    head = manifest.read_text().split("[[check]]")[0]
    manifest.write_text(head + CHECKS[kind])
    return bank


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()

    run(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
    pygrade = ROOT / "target" / "release" / "pygrade"
    python = Path(subprocess.check_output([pygrade, "setup", "--print-python"], text=True).strip())
    exercise = ROOT / "exercises" / EXERCISE

    with tempfile.TemporaryDirectory(prefix="pygrade-bench-") as tmp:
        base = Path(tmp)
        # The bare side works in a folder laid out as a check's: trusted files plus the solution.
        bare = base / "bare"
        shutil.copytree(exercise / "tests", bare / "tests")
        shutil.copy(exercise / "reference" / LEARNER_FILE, bare / LEARNER_FILE)
        cases = sorted((exercise / "cases").glob("*.out"))

        def bare_pytest() -> None:
            run([python, "-B", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "pythonpath=.", "tests"], cwd=bare)

        def bare_mypy() -> None:
            run([python, "-m", "mypy", "--strict", "--cache-dir", base / "mypy-cache", LEARNER_FILE], cwd=bare)

        def bare_output() -> None:
            for case in cases:
                stdin = case.with_suffix(".in")
                args_file = case.with_suffix(".args")
                args = args_file.read_text().split() if args_file.exists() else []
                with stdin.open("rb") if stdin.exists() else open("/dev/null", "rb") as feed:
                    subprocess.run([python, LEARNER_FILE, *args], cwd=bare, stdin=feed, stdout=subprocess.DEVNULL, check=True)

        bare_runs = {"pytest": bare_pytest, "mypy": bare_mypy, "output": bare_output}
        print(f"{'check':<8} {'bare (ms)':>10} {'pygrade (ms)':>13} {'ratio':>7}")
        ratios = []
        for kind, bare_run in bare_runs.items():
            bank = bank_with_one_check(base, kind)
            workspace = base / f"ws-{kind}"
            run([pygrade, "--bank", bank, "init", workspace])
            shutil.copy(exercise / "reference" / LEARNER_FILE, workspace / EXERCISE / LEARNER_FILE)

            def graded(bank: Path = bank, workspace: Path = workspace) -> None:
                run([pygrade, "--bank", bank, "check", "--jobs", "1", "--workspace", workspace, "--format", "json"])

            bare_s, graded_s = medians(bare_run, graded, options.runs)
            ratios.append(graded_s / bare_s)
            print(f"{kind:<8} {bare_s * 1000:>10.1f} {graded_s * 1000:>13.1f} {graded_s / bare_s:>7.3f}")
        print(f"worst ratio {max(ratios):.3f} (target: at most 1.10)")


if __name__ == "__main__":
    main()
