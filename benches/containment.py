#!/usr/bin/env python3
"""How pygrade holds up against submissions that hang, fork away or flood their output.

Grades each hostile fixture of `fixtures/submissions/` against the built-in bank (its real
limits: 10 s for pytest, 5 s a case for output checks) and prints, per fixture: the verdict
of each check, the wall time of the whole run against the sum of its limits, pygrade's own
peak memory (VmHWM, read from /proc while it runs), and how many processes the run left
alive. Run from the repository root:

    python3 benches/containment.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = "01-foundations/01-word-count"
FIXTURES = ["infinite-loop", "sleeps-forever", "orphan-process", "leaves-daemon", "huge-output", "segfault"]


def peak_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def survivors(marker: str) -> int:
    """Processes whose working folder or environment points into `marker`."""
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in cwd or marker.encode() in environ:
            count += 1
    return count


def main() -> None:
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    pygrade = ROOT / "target" / "release" / "pygrade"
    print(f"{'fixture':<16} {'pytest':<13} {'mypy':<6} {'output':<13} {'wall s':>7} {'pygrade peak MiB':>17} {'left alive':>10}")
    for fixture in FIXTURES:
        with tempfile.TemporaryDirectory(prefix="pygrade-contain-") as tmp:
            base = Path(tmp)
            (base / "tmp").mkdir()
            workspace = base / "ws"
            subprocess.run([pygrade, "init", workspace], check=True, stdout=subprocess.DEVNULL)
            shutil.copytree(ROOT / "fixtures" / "submissions" / fixture, workspace, dirs_exist_ok=True)
            env = {**os.environ, "TMPDIR": str(base / "tmp")}
            started = time.perf_counter()
            child = subprocess.Popen(
                [pygrade, "check", EXERCISE, "--jobs", "1", "--workspace", workspace, "--format", "json"],
                stdout=subprocess.PIPE, env=env,
            )
            peak = 0
            while child.poll() is None:
                peak = max(peak, peak_kib(child.pid) or 0)
                time.sleep(0.02)
            stdout = child.stdout.read() if child.stdout else b""
            wall = time.perf_counter() - started
            report = json.loads(stdout)
            checks = {c["kind"]: c["status"] for c in report["exercises"][0]["checks"]}
            print(
                f"{fixture:<16} {checks['pytest']:<13} {checks['mypy']:<6} {checks['output']:<13} "
                f"{wall:>7.1f} {peak / 1024:>17.1f} {survivors(str(base)):>10}"
            )
    print("limits: pytest 10 s, output 5 s a case (3 cases); checks run one at a time here (--jobs 1)")


if __name__ == "__main__":
    main()
