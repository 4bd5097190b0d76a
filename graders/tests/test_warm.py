"""The warm worker's runner: a fork of a started interpreter becomes what `python -B -m` is."""

import json
import os
import subprocess
import sys
from pathlib import Path

# A module that shows what it was started as: its arguments, folder, path, environment and
# temporary folder, and a random number; then it exits as its first argument says.
SHOW = """
import os, random, sys, tempfile
print(sys.argv[1:])
print(sys.argv[0].endswith("show.py"))
print(sys.path[0] == os.getcwd())
print(sorted(k for k in os.environ if k.startswith("CHECK_")))
print(tempfile.gettempdir())
print(__name__)
print(random.random())
if sys.argv[1] == "raise":
    raise ValueError("from the module")
raise SystemExit(int(sys.argv[1]))
"""


def run_warm(folder: Path, args: list[str], env: dict[str, str], forks: int = 1) -> subprocess.CompletedProcess[str]:
    """An interpreter that starts with an environment of its own and imports the runner and
    `random`, as a warm worker does, then forks `forks` times, each fork running the request;
    it exits as the last fork did."""
    hexed = json.dumps({"module": "show", "args": args, "env": env}).encode().hex()
    code = (
        "import os, random, tempfile\n"
        "import pygrade_graders.warm as w\n"
        "status = 0\n"
        f"for _ in range({forks}):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        f"        w.main({hexed!r})\n"
        "    status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])\n"
        "raise SystemExit(status)\n"
    )
    worker_env = {**os.environ, "WORKER_ONLY": "1"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=folder, env=worker_env, capture_output=True, text=True, check=False
    )


def test_the_module_runs_with_the_checks_arguments_folder_and_environment(tmp_path: Path) -> None:
    (tmp_path / "show.py").write_text(SHOW)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {"CHECK_A": "1", "TMPDIR": str(scratch), "PATH": os.environ["PATH"]}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    ran = run_warm(tmp_path, ["3", "--flag"], env)
    lines = ran.stdout.splitlines()
    assert ran.returncode == 3, ran.stderr
    assert lines[:6] == ["['3', '--flag']", "True", "True", "['CHECK_A']", str(scratch), "__main__"]


def test_each_fork_draws_its_own_random_numbers(tmp_path: Path) -> None:
    (tmp_path / "show.py").write_text(SHOW)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    lines = run_warm(tmp_path, ["0"], env, forks=3).stdout.splitlines()
    draws = {line for line in lines if line.startswith("0.")}
    assert len(draws) == 3, lines


def test_an_exception_is_printed_and_exits_1_as_python_would(tmp_path: Path) -> None:
    (tmp_path / "show.py").write_text(SHOW)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    ran = run_warm(tmp_path, ["raise"], env)
    assert ran.returncode == 1
    assert "ValueError: from the module" in ran.stderr
