#!/usr/bin/env python3
"""How much time pygrade adds on top of the Python tools it runs.

For one exercise (word count, solved), each check kind is graded alone by `pygrade check`
with one job, and the same work is done bare: the plain pytest command, the plain mypy
command (with a warm cache, as pygrade's), and the program once per output case. pygrade
grades in each sandbox it can use here: its own (`builtin`), bubblewrap (`bwrap`, where
installed) and `none`. Each is timed over several runs; the medians and their ratios to the
bare work are printed. The target is a ratio of at most 1.10 per check. Run from the
repository root:

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


def medians(actions: list[Callable[[], None]], runs: int) -> list[float]:
    """Median wall times of each, measured in alternation so that drift in the machine's load
    falls on all alike; one warm-up run each (page cache, mypy's cache)."""
    for action in actions:
        action()
    rounds = [[timed(action) for action in actions] for _ in range(runs)]
    return [statistics.median(times[i] for times in rounds) for i in range(len(actions))]


# The bank's tests import the comparison helpers of the graders package, as under pygrade.
BARE_ENV = {**os.environ, "PYTHONPATH": str(ROOT / "graders")}


def run(args: list[str | Path], cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> None:
    done = subprocess.run(
        args, cwd=cwd, env=BARE_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    if done.returncode not in ok:
        sys.exit(f"{args} failed with {done.returncode}: {done.stderr.decode()}")


def bank_with_one_check(base: Path, kind: str) -> Path:
    """A bank holding only the exercise, its manifest reduced to one check, and the outline."""
    bank = base / f"bank-{kind}"
    shutil.copytree(ROOT / "exercises" / EXERCISE, bank / EXERCISE)
    shutil.copy(ROOT / "exercises" / "outline.toml", bank / "outline.toml")
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
        sandboxes = ["builtin", "bwrap", "none"] if shutil.which("bwrap") else ["builtin", "none"]
        header = "".join(f" {name + ' (ms)':>13} {'ratio':>6}" for name in sandboxes)
        print(f"{'check':<8} {'bare (ms)':>10}{header}")
        ratios: dict[str, list[float]] = {name: [] for name in sandboxes}
        for kind, bare_run in bare_runs.items():
            bank = bank_with_one_check(base, kind)
            workspace = base / f"ws-{kind}"
            run([pygrade, "--bank", bank, "init", workspace])
            shutil.copy(exercise / "reference" / LEARNER_FILE, workspace / EXERCISE / LEARNER_FILE)

            def graded(sandbox: str, bank: Path = bank, workspace: Path = workspace) -> Callable[[], None]:
                return lambda: run(
                    [pygrade, "--bank", bank, "--sandbox", sandbox, "check", "--jobs", "1", "--workspace", workspace, "--format", "json"]
                )

            bare_s, *graded_s = medians([bare_run, *(graded(name) for name in sandboxes)], options.runs)
            row = ""
            for name, seconds in zip(sandboxes, graded_s):
                ratios[name].append(seconds / bare_s)
                row += f" {seconds * 1000:>13.1f} {seconds / bare_s:>6.3f}"
            print(f"{kind:<8} {bare_s * 1000:>10.1f}{row}")
        worst = ", ".join(f"{name} {max(values):.3f}" for name, values in ratios.items())
        print(f"worst ratio: {worst} (target: at most 1.10)")


if __name__ == "__main__":
    main()
