#!/usr/bin/env python3
"""How pygrade holds up against submissions that hang, fork, flood or fill the machine.

Grades cases of the hostile corpus (`fixtures/hostile/`) against the built-in bank with its
real limits (pytest 10 s, output 5 s a case; 64 processes, 2 GiB of address space, 64 MiB of
disk and 16 MiB of output per process) and prints, per case: the verdict of each check, the
wall time of the whole run, pygrade's own peak memory (VmHWM, read from /proc while it runs),
how responsive the machine stayed (the slowest of the `/bin/true` runs started every 100 ms
during the grading, against the same measured while idle), and how many processes the run
left alive. The harmful cases run only when the sandbox is active. Run from the repository
root:

    python3 benches/containment.py
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from fixtures import ROOT, lay

EXERCISE = "01-foundations/01-word-count"
HANGING = ["infinite-loop", "sleeps-forever", "orphan-process", "leaves-daemon", "segfault", "huge-output"]
HARMFUL = ["fork-bomb", "thread-bomb", "memory-bomb", "disk-filler", "file-flood", "tmp-filler", "endless-printer"]


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


class Responsiveness:
    """Starts `/bin/true` every 100 ms until stopped, keeping the slowest start-to-exit time."""

    def __init__(self) -> None:
        self.slowest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            started = time.perf_counter()
            subprocess.run(["/bin/true"], check=False)
            self.slowest = max(self.slowest, time.perf_counter() - started)

    def __enter__(self) -> Responsiveness:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def sandboxed(pygrade: Path) -> bool:
    out = subprocess.run([pygrade, "doctor"], capture_output=True, text=True, check=False).stdout
    return "sandbox: bwrap" in out


def grade(pygrade: Path, case: str) -> None:
    with tempfile.TemporaryDirectory(prefix="pygrade-contain-") as tmp:
        base = Path(tmp)
        (base / "tmp").mkdir()
        workspace = base / "ws"
        subprocess.run([pygrade, "init", workspace], check=True, stdout=subprocess.DEVNULL)
        lay(ROOT / "fixtures" / "hostile" / case, workspace / EXERCISE, EXERCISE)
        env = {**os.environ, "TMPDIR": str(base / "tmp")}
        started = time.perf_counter()
        with Responsiveness() as probe:
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
            f"{case:<16} {checks['pytest']:<14} {checks['mypy']:<6} {checks['output']:<14} "
            f"{wall:>7.1f} {peak / 1024:>12.1f} {probe.slowest * 1000:>15.0f} {survivors(str(base)):>10}"
        )


def main() -> None:
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    pygrade = ROOT / "target" / "release" / "pygrade"
    with Responsiveness() as idle:
        time.sleep(3)
    print(f"idle: the slowest /bin/true took {idle.slowest * 1000:.0f} ms")
    print(
        f"{'case':<16} {'pytest':<14} {'mypy':<6} {'output':<14} {'wall s':>7} "
        f"{'peak MiB':>12} {'slowest true ms':>15} {'left alive':>10}"
    )
    cases = HANGING + (HARMFUL if sandboxed(pygrade) else [])
    for case in cases:
        grade(pygrade, case)
    if len(cases) == len(HANGING):
        print("the harmful cases were skipped: the sandbox is not active here")
    print("limits: pytest 10 s, output 5 s a case (3 cases); checks run one at a time (--jobs 1)")


if __name__ == "__main__":
    main()
