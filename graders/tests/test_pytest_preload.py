"""The warm pytest worker's preload: a session that follows it imports none of pytest's own
modules again, nor the debugger its `breakpoint()` support needs."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from forking import run_forked

SESSION = """
import json, sys
import pygrade_graders.pytest_preload
import pytest
before = set(sys.modules)
status = pytest.main(["-q", "-p", "no:cacheprovider", sys.argv[1]])
late = sorted(m for m in set(sys.modules) - before if m.startswith(("_pytest", "pdb")))
print(json.dumps({"status": int(status), "late": late}))
"""


def test_a_session_after_the_preload_imports_no_module_of_pytest(tmp_path: Path) -> None:
    test = tmp_path / "test_one.py"
    test.write_text("def test_one(tmp_path, monkeypatch, capsys):\n    print('x')\n    assert True\n")
    done = subprocess.run(
        [sys.executable, "-c", SESSION, str(test)], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"status": 0, "late": []}, done.stdout + done.stderr


# Shows what the session's configuration came to, and the fixtures it found, for a warm and a
# fresh session to compare.
CONFTEST = """
import json
import pathlib


def pytest_configure(config):
    shown = {
        "args": list(config.invocation_params.args),
        "dir": str(config.invocation_params.dir),
        "options": sorted(f"{key}={value!r}" for key, value in vars(config.option).items()),
        "plugins": sorted(name for name, _ in config.pluginmanager.list_name_plugin() if not name.isdigit()),
        "rootdir": str(config.rootpath),
    }
    pathlib.Path(config.rootpath, "..", "shown.json").write_text(json.dumps(shown))


def pytest_collection_finish(session):
    manager = session._fixturemanager
    fixtures = {
        name: [
            [str(node.nodeid), f"{d.func.__module__}.{d.func.__qualname__}", str(d.scope), d.params]
            for node, defs in by_node.items()
            for d in defs
        ]
        for name, by_node in manager._arg2node2fixturedefs.items()
    }
    autouse = {str(node.nodeid): names for node, names in manager._node_autousenames.items()}
    path = pathlib.Path(session.config.rootpath, "..", "shown.json")
    shown = json.loads(path.read_text())
    path.write_text(json.dumps({**shown, "fixtures": fixtures, "autouse": autouse}))
"""

TESTS = """
import sys


def test_passes():
    print("out")
    assert sys.argv[0].endswith("__main__.py")


def test_fails():
    assert 1 + 1 == 3
"""


def session(folder: Path, warm: bool) -> tuple[int, str, dict[str, object], list[dict[str, object]]]:
    """A pygrade-like session over `folder`, fresh (`python -B -m pytest`) or forked from an
    interpreter that imported the preload, as a warm worker does: its status, output, what its
    configuration came to, and its results (without their durations). Its output is whole, but
    for the time the summary gives."""
    results = folder.parent / "results.jsonl"
    args = [
        "-q", "--tb=no", "--no-header", "-rN", "--color=no", "--capture=tee-sys",
        "-p", "no:cacheprovider", "-p", "pygrade_graders.pytest_plugin",
        "--pygrade-results", str(results), "--rootdir", str(folder),
    ]  # fmt: skip
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    if warm:
        preload = "import pytest, pygrade_graders.pytest_plugin, pygrade_graders.pytest_preload"
        done = run_forked({"module": "pytest", "args": args, "env": env}, folder, env, preload)
    else:
        command = [sys.executable, "-B", "-m", "pytest", *args]
        done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, check=False)
    shown = json.loads((folder.parent / "shown.json").read_text())
    events = [json.loads(line) for line in results.read_text().splitlines()]
    for event in events:
        event.pop("duration_ms", None)
    return done.returncode, re.sub(r" in [0-9.]+s", "", done.stdout), shown, events


def test_a_warm_session_from_the_prepared_configuration_is_a_fresh_sessions_twin(tmp_path: Path) -> None:
    folder = tmp_path / "job"
    (folder / "tests").mkdir(parents=True)
    (folder / "conftest.py").write_text(CONFTEST)
    (folder / "tests" / "test_two.py").write_text(TESTS)
    fresh = session(folder, warm=False)
    warm = session(folder, warm=True)
    assert warm == fresh
    assert fresh[0] == 1
    fixtures = fresh[2]["fixtures"]
    assert isinstance(fixtures, dict) and {"tmp_path", "monkeypatch", "capsys"} <= set(fixtures)
    assert [event["status"] for event in fresh[3] if event["event"] == "result"] == ["pass", "fail"]


# Asks `get_config` for configurations as the sessions named on the command line would, in
# that order, after the preload: whether each got the prepared one (only it has pygrade's
# plugin registered before the session starts), and its arguments.
HANDOVER = """
import sys
import _pytest.config
from pygrade_graders import pytest_preload
from pygrade_graders.pytest_preload import PLUGINS, PROG

sessions = {
    "pygrade": (["-q", *PLUGINS], PROG),
    "fewer plugins": (["-q", "-p", "no:cacheprovider"], PROG),
    "pytest.main()": (["-q", *PLUGINS], None),
}
for kind in sys.argv[1:]:
    args, prog = sessions[kind]
    config = _pytest.config.get_config(list(args), prog=prog)
    prepared = config.pluginmanager.has_plugin("pygrade_graders.pytest_plugin")
    print(kind, prepared, list(config.invocation_params.args) == args)
"""


def handed_over(*kinds: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", HANDOVER, *kinds], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_prepared_configuration_goes_to_a_first_session_started_as_pygrade_starts_one() -> None:
    """Only the first session gets it, and only if it is started as `python -m pytest` with
    pygrade's plugins: another makes its own, and so does every session after it."""
    assert handed_over("pygrade", "pygrade") == ["pygrade True True", "pygrade False True"]
    assert handed_over("fewer plugins", "pygrade") == ["fewer plugins False True", "pygrade False True"]
    assert handed_over("pytest.main()", "pygrade") == ["pytest.main() False True", "pygrade False True"]


def test_the_plugins_of_a_command_line_are_read_as_pytest_reads_them() -> None:
    code = "from pygrade_graders import pytest_preload as p\nprint(p.plugin_args(['-p', 'no:a', '-pno:b', '-p', 'c', '-p']))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "['no:a', 'no:b', 'c']\n"


# Reads plugin modules for their fixtures as a warm worker does, then changes one.
READ = """
import types
from pygrade_graders.pytest_preload import FixturesAlone

plugin = types.ModuleType("plugin_here")
exec("import pytest\\n@pytest.fixture\\ndef thing():\\n    return 1\\n\\ndef helper():\\n    pass\\n", plugin.__dict__)
alone = FixturesAlone.of(plugin)
print(sorted(name for name in vars(alone.stand_in) if not name.startswith("__")), alone.as_read())
exec("@pytest.fixture\\ndef other():\\n    return 2\\n", plugin.__dict__)
print(alone.as_read())
hidden = types.ModuleType("hidden_here")
exec(
    "import functools, pytest\\n"
    "def deco(f):\\n    @functools.wraps(f)\\n    def w(*a):\\n        return f(*a)\\n    return w\\n"
    "@deco\\n@pytest.fixture\\ndef hidden():\\n    return 3\\n",
    hidden.__dict__,
)
print(FixturesAlone.of(hidden))
"""


def test_a_plugin_module_stands_in_with_its_fixtures_only_while_it_is_as_read() -> None:
    """A module that has changed since it was read is read whole again; one with a fixture
    behind a wrapper (which pytest warns of) is always read whole."""
    done = subprocess.run([sys.executable, "-c", READ], capture_output=True, text=True, check=False)
    assert done.stdout.splitlines() == ["['thing'] True", "False", "None"], done.stderr


# Reads classes for fixtures as a warm worker does, then changes them.
CLASSES = """
import pytest
from pygrade_graders.pytest_preload import NoFixtures


class Base:
    def pytest_configure(self, config):
        pass


class Plain(Base):
    name = "plain"


class Holding:
    @pytest.fixture
    def thing(self):
        return 1


plain = NoFixtures.of(Plain)
print(plain is not None, NoFixtures.of(Holding), plain.still_holds_none())
Plain.fspath = property(lambda self: "here")
print(plain.still_holds_none())
Base.late = Holding.__dict__["thing"]
print(plain.still_holds_none())
"""


def test_an_instance_of_a_class_holding_no_fixture_is_skipped_while_its_classes_gain_none() -> None:
    """A class that held a fixture when read is read whole; one that held none is skipped
    while what it and the classes it inherits from gained is no fixture."""
    done = subprocess.run([sys.executable, "-c", CLASSES], capture_output=True, text=True, check=False)
    assert done.stdout.splitlines() == ["True None True", "True", "False"], done.stderr
