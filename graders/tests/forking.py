"""Runs a request as a warm worker's fork runs it: an interpreter imports what the worker
imports, forks, and the fork hands the request to `pygrade_graders.warm.main`."""

import json
import subprocess
import sys
from pathlib import Path


def run_forked(
    request: dict[str, object],
    folder: Path,
    worker_env: dict[str, str],
    imports: str = "",
    forks: int = 1,
) -> subprocess.CompletedProcess[str]:
    """A worker started in `folder` with `worker_env` that imports `imports` (a line of Python)
    and the runner, takes its last step before forking, then forks `forks` times, each fork running `request`; it exits as the
    last fork did."""
    hexed = json.dumps(request).encode().hex()
    code = (
        f"{imports}\n"
        "import os\n"
        "import pygrade_graders.warm\n"
        "pygrade_graders.warm.before_first_fork()\n"
        "status = 0\n"
        f"for _ in range({forks}):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        f"        pygrade_graders.warm.main({hexed!r})\n"
        "    status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])\n"
        "raise SystemExit(status)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=folder, env=worker_env, capture_output=True, text=True, check=False
    )
