"""The warm worker's runner: a fork of a started interpreter becomes what `python -B -m` is."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from forking import run_forked

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


def run_warm(
    folder: Path, args: list[str], env: dict[str, str], forks: int = 1, script: str | None = None
) -> subprocess.CompletedProcess[str]:
    """An interpreter that starts with an environment of its own and imports the runner and
    `random`, as a warm worker does, then forks `forks` times, each fork running the request
    (the module `show`, or `script`); it exits as the last fork did."""
    request: dict[str, object] = {"script": script} if script else {"module": "show"}
    worker_env = {**os.environ, "WORKER_ONLY": "1"}
    return run_forked({**request, "args": args, "env": env}, folder, worker_env, "import random, tempfile", forks)


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


# A test whose session's end shows: a thread that is no daemon, still running when the session
# is done; an `atexit` function; and output left in the buffer.
ENDING = """
import atexit, os, threading, time

FAILING = os.environ.get("FAIL") == "1"


def late() -> None:
    time.sleep(0.2)
    print("the thread finished")


def test_leaves_work_for_the_end() -> None:
    threading.Thread(target=late).start()
    atexit.register(lambda: print("atexit ran", end=""))
    assert not FAILING
"""


def test_a_pytest_session_ends_as_python_m_pytest_ends_it(tmp_path: Path) -> None:
    """A warm pytest session ends without the interpreter's teardown, and with every step of its
    end a program can see: it waits for the thread, runs `atexit`, flushes, and exits with the
    status `python -B -m pytest` gives."""
    (tmp_path / "test_ending.py").write_text(ENDING)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    for failing in (False, True):
        env = {**env, "FAIL": "1"} if failing else env
        args = ["-q", "-p", "no:cacheprovider", "test_ending.py"]
        cold = subprocess.run(
            [sys.executable, "-B", "-m", "pytest", *args], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
        )
        warm = run_forked({"module": "pytest", "args": args, "env": env}, tmp_path, env, "import pytest")
        assert cold.returncode == (1 if failing else 0)
        assert "the thread finished" in cold.stdout and cold.stdout.endswith("atexit ran")
        assert warm.returncode == cold.returncode, warm.stderr
        assert re.sub(r" in [0-9.]+s", "", warm.stdout) == re.sub(r" in [0-9.]+s", "", cold.stdout)


# A learner's program run as a module: it imports a module of its own, and an object of its
# says goodbye when the interpreter's teardown clears the module.
GOODBYE = """
import helper


class Goodbye:
    def __del__(self) -> None:
        print("goodbye")


kept = Goodbye()
print(helper.NAME)
"""


def test_a_program_run_as_a_module_writes_bytecode_and_ends_as_python_m_ends_it(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    outputs = []
    for how in ("cold", "warm"):
        folder = tmp_path / how
        folder.mkdir()
        (folder / "program.py").write_text(GOODBYE)
        (folder / "helper.py").write_text("NAME = 'helper'\n")
        if how == "cold":
            ran = subprocess.run(
                [sys.executable, "-m", "program"], cwd=folder, env=env, capture_output=True, text=True, check=False
            )
        else:
            ran = run_forked({"module": "program", "args": [], "env": env, "bytecode": True}, folder, env)
        outputs.append((ran.returncode, ran.stdout, sorted(path.name for path in folder.glob("__pycache__/*"))))
    assert outputs[0][1] == "helper\ngoodbye\n"
    assert outputs[0][2] != []
    assert outputs[1] == outputs[0]


def test_a_program_finds_the_modules_a_fresh_interpreter_holds(tmp_path: Path) -> None:
    """The runner's own reading of the request imports nothing the program then finds (past
    the runner itself, which the worker imported)."""
    (tmp_path / "modules.py").write_text(
        "import sys\nprint(sorted(m for m in sys.modules if not m.startswith('pygrade_graders')))\n"
    )
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    cold = subprocess.run([sys.executable, "modules.py"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    warm = run_forked({"script": "modules.py", "args": [], "env": env}, tmp_path, env)
    assert "'json'" not in warm.stdout and "'re'" not in warm.stdout
    assert warm.stdout == cold.stdout


def test_a_worker_ready_to_fork_reads_a_request_without_importing_and_holds_no_new_module() -> None:
    """The decoder is imported before the first fork, so a fork imports nothing to read its
    request, and the worker's last step leaves `sys.modules` as it found it."""
    code = (
        "import builtins, sys\n"
        "import pygrade_graders.warm as warm\n"
        "before = set(sys.modules)\n"
        "warm.before_first_fork()\n"
        "print(sorted(set(sys.modules) ^ before))\n"
        "imported = []\n"
        "original = builtins.__import__\n"
        "def spy(name, *args, **kwargs):\n"
        "    imported.append(name)\n"
        "    return original(name, *args, **kwargs)\n"
        "builtins.__import__ = spy\n"
        "request = warm.decode(b'{\"env\": {\"A\": \"1\"}}'.hex())\n"
        "builtins.__import__ = original\n"
        "print(request, imported)\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ran.stdout == "[]\n{'env': {'A': '1'}} []\n"


# A program that shows what `python SCRIPT` gives it, then fails as its argument says.
PROGRAM = """
import sys
print(__name__, __file__, __spec__, __cached__, type(__loader__).__name__, __doc__)
print(sorted(vars()))
print(sys.argv)
print(sys.path[0])


def fail() -> None:
    raise ValueError("from the program")


if sys.argv[1] == "raise":
    fail()
if sys.argv[1] == "syntax":
    exec("1 +")
raise SystemExit(int(sys.argv[1]))
"""


def test_a_script_runs_as_python_script_runs_it(tmp_path: Path) -> None:
    program = tmp_path / "sub" / "program.py"
    program.parent.mkdir()
    program.write_text(PROGRAM)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    for args in (["3"], ["raise"], ["syntax"]):
        cold = subprocess.run(
            [sys.executable, "sub/program.py", *args], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
        )
        warm = run_warm(tmp_path, args, env, script="sub/program.py")
        assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr), args


def test_a_script_that_does_not_compile_fails_as_python_script_fails(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("total = (1 +\n")
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    cold = subprocess.run(
        [sys.executable, "broken.py"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    warm = run_warm(tmp_path, [], env, script="broken.py")
    assert cold.returncode == 1
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)


def test_the_streams_are_made_for_what_the_descriptors_are_now(tmp_path: Path) -> None:
    """A worker whose stdout was /dev/null (which can seek) forks a child whose stdout is a
    pipe (which cannot): the child's `sys.stdout` is made for the pipe, as a fresh Python's."""
    (tmp_path / "crlf.py").write_text('import sys\nsys.stdout.reconfigure(newline="\\r\\n")\nprint("x")\n')
    reader, writer = os.pipe()
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    hexed = json.dumps({"script": "crlf.py", "args": [], "env": env}).encode().hex()
    code = (
        "import os\n"
        "import pygrade_graders.warm as w\n"
        "w.before_first_fork()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        f"    os.dup2({writer}, 1)\n"
        f"    w.main({hexed!r})\n"
        "raise SystemExit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, check=False, pass_fds=[writer],
    )
    os.close(writer)
    with os.fdopen(reader, "rb") as out:
        printed = out.read()
    assert ran.returncode == 0, ran.stderr
    assert printed == b"x\r\n"
