#!/usr/bin/env python3
"""How long a learner waits after a save for `pygrade watch` to show the verdict.

A fresh workspace of the built-in bank is watched by `pygrade watch` (in line mode, its
output read from a pipe as a terminal would show it). Word count's file is then saved over
and over, alternately wrong (a case-sensitive count, which fails a test) and right (the
reference), and each save is timed from the write until the verdict is printed: the
"Score:" line of the run that graded it, or for a right one the line saying it is solved. The median and the spread of the saves are printed.
The target is 150 ms. Run from the repository root, after `cargo build --release`:

    python3 benches/watch.py [--saves N] [--pygrade PATH]
"""

from __future__ import annotations

import argparse
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = "01-foundations/01-word-count"
LEARNER_FILE = "word_count.py"
TARGET_MS = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--pygrade", type=Path, default=ROOT / "target/release/pygrade")
    args = parser.parse_args()
    if not args.pygrade.exists():
        print(f"no {args.pygrade}: run `cargo build --release` first", file=sys.stderr)
        return 2
    right = (ROOT / "exercises" / EXERCISE / "reference" / LEARNER_FILE).read_text()
    wrong = right.replace(".lower()", "")
    assert wrong != right, "the reference no longer lowers the words"

    with tempfile.TemporaryDirectory(prefix="pygrade-watch-bench-") as tmp:
        workspace = Path(tmp) / "ws"
        subprocess.run(
            [args.pygrade, "init", workspace], check=True, stdout=subprocess.DEVNULL
        )
        target = workspace / EXERCISE / LEARNER_FILE
        watch = subprocess.Popen(
            [args.pygrade, "watch", "--workspace", workspace],
            cwd=workspace / EXERCISE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert watch.stdout is not None and watch.stdin is not None
        lines: queue.Queue[tuple[float, str]] = queue.Queue()

        def read() -> None:
            assert watch.stdout is not None
            for line in watch.stdout:
                lines.put((time.perf_counter(), line))

        threading.Thread(target=read, daemon=True).start()

        def verdict_after(started: float) -> float:
            """Seconds from `started` until the next verdict printed after it."""
            while True:
                at, line = lines.get(timeout=120)
                verdict = line.startswith("Score:") or " is solved. " in line
                if verdict and at > started:
                    return at - started

        verdict_after(0.0)  # the first grading, on start
        waits = []
        for save in range(args.saves + 1):
            # Let the watcher settle, so that each save is one change of its own.
            time.sleep(0.3)
            while not lines.empty():
                lines.get()
            started = time.perf_counter()
            target.write_text(wrong if save % 2 == 0 else right)
            wait = verdict_after(started)
            if save > 0:  # the first save warms the tools' caches
                waits.append(wait * 1000)
        watch.stdin.write("q\n")
        watch.stdin.flush()
        watch.wait(timeout=30)

    median = statistics.median(waits)
    print(f"pygrade watch, {EXERCISE} (pytest, mypy and output checks), {len(waits)} saves:")
    print(f"  save to verdict: median {median:.0f} ms, min {min(waits):.0f} ms, max {max(waits):.0f} ms")
    print(f"  target {TARGET_MS:.0f} ms: ratio {median / TARGET_MS:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
