#!/usr/bin/env python3
"""How pygrade holds up against submissions that hang, fork, flood or fill the machine.

Grades cases of the hostile corpus (`fixtures/hostile/`) against the built-in bank with its
real limits (pytest 10 s, output 5 s a case; 64 processes, 1 GiB of memory for each check's
process tree, 64 MiB of disk and 16 MiB of output) and prints, per case: the verdict of each
check, the wall time of the whole run, pygrade's own peak memory (VmHWM, read from /proc while
it runs), the most memory a check's process tree held (from the report), how responsive the
machine stayed (the slowest of the `/bin/true` runs started every 100 ms during the grading,
against the same measured while idle), and how many processes the run left alive. The harmful
cases run only when the sandbox is active. Run from the repository root:

    python3 benches/containment.py [--sandbox auto|bwrap|none|...] [--cgroups pids,memory]

`--sandbox` is handed to `pygrade check` (default `auto`); `--cgroups` sets PYGRADE_CGROUPS,
the cgroups pygrade may make (`pids` alone has the supervisor measure the trees' memory).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from fixtures import ROOT, lay
from peak import peak_kib

EXERCISE = "01-foundations/01-word-count"
HANGING = ["infinite-loop", "sleeps-forever", "orphan-process", "leaves-daemon", "segfault", "huge-output"]
HARMFUL = [
    "fork-bomb",
    "thread-bomb",
    "memory-bomb",
    "children-memory-bomb",
    "disk-filler",
    "file-flood",
    "tmp-filler",
    "endless-printer",
]


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


def sandbox_in_force(pygrade: Path, sandbox: str, env: dict[str, str]) -> str | None:
    """The sandbox `pygrade doctor` reports in force with `--sandbox sandbox`, if any."""
    out = subprocess.run(
        [pygrade, "--sandbox", sandbox, "doctor"], capture_output=True, text=True, check=False, env=env
    ).stdout
    line = next((line for line in out.splitlines() if line.startswith("sandbox:")), "sandbox: none")
    said = line.removeprefix("sandbox:").strip()
    return None if said.startswith("none") or "PROBLEM" in said else said.split(":")[0]


def memory_line(pygrade: Path, env: dict[str, str]) -> str:
    """How `pygrade doctor` says the trees' memory is limited here."""
    out = subprocess.run([pygrade, "doctor"], capture_output=True, text=True, check=False, env=env).stdout
    return next((line.strip() for line in out.splitlines() if line.strip().startswith("memory:")), "memory: ?")


def grade(pygrade: Path, case: str, sandbox: str, base_env: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="pygrade-contain-") as tmp:
        base = Path(tmp)
        (base / "tmp").mkdir()
        workspace = base / "ws"
        subprocess.run([pygrade, "init", workspace], check=True, stdout=subprocess.DEVNULL)
        lay(ROOT / "fixtures" / "hostile" / case, workspace / EXERCISE, EXERCISE)
        env = {**base_env, "TMPDIR": str(base / "tmp")}
        started = time.perf_counter()
        with Responsiveness() as probe:
            child = subprocess.Popen(
                [pygrade, "--sandbox", sandbox, "check", EXERCISE, "--jobs", "1", "--workspace", workspace,
                 "--format", "json"],
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
        tree = max(c.get("usage", {}).get("peak_memory_kib", 0) for c in report["exercises"][0]["checks"])
        print(
            f"{case:<20} {checks['pytest']:<14} {checks['mypy']:<6} {checks['output']:<14} "
            f"{wall:>7.1f} {peak / 1024:>12.1f} {tree / 1024:>13.0f} {probe.slowest * 1000:>15.0f} "
            f"{survivors(str(base)):>10}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sandbox", default="auto", help="handed to pygrade (default: auto)")
    parser.add_argument("--cgroups", help="PYGRADE_CGROUPS for the run (default: pygrade's own)")
    parser.add_argument("cases", nargs="*", help="only these cases (default: all of the script's)")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.cgroups is not None:
        env["PYGRADE_CGROUPS"] = args.cgroups
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    pygrade = ROOT / "target" / "release" / "pygrade"
    with Responsiveness() as idle:
        time.sleep(3)
    sandbox = sandbox_in_force(pygrade, args.sandbox, env)
    print(f"sandbox: {sandbox or 'none'} (--sandbox {args.sandbox}); {memory_line(pygrade, env)}")
    print(f"idle: the slowest /bin/true took {idle.slowest * 1000:.0f} ms")
    print(
        f"{'case':<20} {'pytest':<14} {'mypy':<6} {'output':<14} {'wall s':>7} "
        f"{'peak MiB':>12} {'tree peak MiB':>13} {'slowest true ms':>15} {'left alive':>10}"
    )
    cases = HANGING + (HARMFUL if sandbox else [])
    if args.cases:
        cases = [case for case in cases if case in args.cases]
    for case in cases:
        grade(pygrade, case, args.sandbox, env)
    if not sandbox:
        print("the harmful cases were skipped: the sandbox is not active here")
    print("limits: pytest 10 s, output 5 s a case (3 cases); checks run one at a time (--jobs 1)")


if __name__ == "__main__":
    main()
