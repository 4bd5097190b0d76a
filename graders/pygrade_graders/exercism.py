"""A pytest plugin that grades an Exercism exercise the way Exercism's Python test runner does.

pygrade loads it with `-p pygrade_graders.exercism --exercism-results-fd N --exercism-token-fd
M` for `pygrade exercism-run`. It takes over the results channel (see `protocol.py`) before any
test module is imported, says `start` before each test, and at the end of the session sends
one `exercism-results` event: the run's `status`, its `message` when nothing could run, and
each test's entry in the order Exercism shows them. pygrade writes `results.json` from it.

What a learner sees follows the runner Exercism publishes (exercism/python-test-runner):

- a test's name is its class and function, `ExampleTest.test_hello_world` read as
  `Example > hello world`; a `subTest` with a message is one more entry, the message in
  brackets (`Example > hello [variation #1]`);
- `task_id` is the number of the test's `@pytest.mark.task(taskno=N)` marker (0 without one);
  a test with a marker is shown with a trailing `~`, so that its variations sort before it;
- `test_code` is the test function's body, dedented;
- a failure's message is the exception's text, without the traceback;
- `output` is what each variation of a failing test printed (a plain test's output is not
  shown, as in Exercism's runner);
- tests are in the order they are defined in the test files, or, when some test has a task
  number, by task number and then name.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import pygrade_graders
from pygrade_graders.protocol import Channel, clip

# A parent test's message when some of its variations failed, as Exercism's runner words it.
VARIATIONS_FAILED = (
    "One or more variations of this test failed. Details can be found under each [variant#]."
)
# Exercises whose tests raise a friendly ImportError of their own when the learner's names are
# missing: the error is shown alone, without pytest's account of the import.
FRIENDLY_IMPORT_ERRORS = ("hello_world", "lasagna")
# `ExampleTest.test_hello` -> `Example > hello`; the last `Test.test_` of a name is the one cut.
CLASS_AND_PREFIX = re.compile(r"^(.+)(Test\.test_)")
# A traceback frame's first line: `path:line: in function`.
FRAME = re.compile(r"^\s*(?P<path>\S.*?):\d+: in \S")


def display_name(raw: str, task_id: int) -> str:
    """The name Exercism shows for the test pytest calls `raw` (`Class.test_x` or
    `Class.test_x [variation #1]`): the class's `Test` suffix and the `test_` prefix become
    ` > `, underscores become spaces, and a test with a task that is not a variation ends in
    `~`."""
    name = CLASS_AND_PREFIX.sub(r"\1 > ", raw).replace("_", " ")
    if task_id > 0 and "[variation" not in raw:
        name += "~"
    return name


def function_source(source: str, function: str, cls: str | None) -> tuple[int, str] | None:
    """The line the test `function` (of class `cls`, if any) is defined on in `source`, and
    its body, dedented, without trailing blank lines. `None` when it is not defined there."""
    tree = ast.parse(source)
    scope: list[ast.stmt] = tree.body
    if cls is not None:
        classes = [n for n in scope if isinstance(n, ast.ClassDef) and n.name == cls]
        if not classes:
            return None
        scope = classes[-1].body
    found = [
        n
        for n in scope
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == function
    ]
    if not found:
        return None
    node = found[-1]
    lines = source.splitlines()
    # From the line after `def` to the end of the function.
    body = lines[node.lineno : node.end_lineno or node.lineno]
    while body and not body[-1].strip():
        body.pop()
    return node.lineno, textwrap.dedent("\n".join(body))


def make_message(trace: object, crash_path: str | None, root: str) -> str:
    """A failure's text as Exercism shows it: pytest's `E ` markers taken out, dedented, paths
    in the solution folder `root` written `./name`, and the frames of code outside it
    (pytest's, the standard library's) left out."""
    text = re.sub(
        "^E |_pytest.nodes.Collector.CollectError: ", "  ", str(trace), flags=re.M
    )
    text = textwrap.dedent(text)
    if crash_path is not None and os.path.commonpath([root, crash_path]) == root:
        text = text.replace(root, ".")
    return drop_foreign_frames(text)


def drop_foreign_frames(text: str) -> str:
    """`text` without the traceback frames of files outside the solution folder: a frame is
    its `path:line: in function` line and the indented source lines under it, and a path
    inside the folder is relative (`name.py`, `./name.py`)."""
    kept: list[str] = []
    dropping = False
    for line in text.splitlines():
        frame = FRAME.match(line)
        if frame:
            path = frame.group("path")
            dropping = path.startswith(("/", "<")) or ":\\" in path
        elif dropping and not line.startswith(" "):
            dropping = False
        if not dropping:
            kept.append(line)
    return "\n".join(kept)


@dataclass
class Entry:
    """One line of Exercism's report: a test, or a variation of one."""

    raw: str
    status: str = "pass"
    message: str | None = None
    test_code: str = ""
    task_id: int = 0
    output: str | None = None
    # Where the test is defined: the test file's place among those run, then its line.
    order: tuple[int, int] = (0, 0)
    # The test this is a variation of.
    parent: str | None = None

    def fail(self, status: str, message: str | None) -> None:
        self.status = status
        if message:
            self.message = message

    def as_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": display_name(self.raw, self.task_id),
            "status": self.status,
        }
        if self.message not in (None, "", " "):
            entry["message"] = self.message
        entry["test_code"] = self.test_code
        entry["task_id"] = self.task_id
        if self.output not in (None, "", " "):
            entry["output"] = self.output
        return entry


def raw_name(nodeid: str) -> str:
    """`file.py::Class::test_x[1]` -> `Class.test_x[1]`."""
    return ".".join(nodeid.split("::")[1:])


class Reporter:
    """Collects Exercism's entries from pytest's hooks and sends them at the end."""

    def __init__(self, channel: Channel, root: str, files: list[str]) -> None:
        self.channel = channel
        self.root = root.rstrip("/")
        self.files = files
        self.entries: dict[str, Entry] = {}
        # Where each test function is, and its body, by node id (the same for its variations).
        self.sources: dict[str, tuple[tuple[int, int], str]] = {}
        self.last_error: str | None = None
        self.capture: Any = None

    def locate(self, nodeid: str, path: Path) -> tuple[tuple[int, int], str]:
        """A test's place in the run's files and its body."""
        if nodeid not in self.sources:
            parts = nodeid.split("::")
            function = parts[-1].split("[")[0]
            cls = parts[1] if len(parts) > 2 else None
            found = function_source(path.read_text(encoding="utf-8"), function, cls)
            file_rank = self.files.index(path.name) if path.name in self.files else len(self.files)
            line, body = found if found else (0, "")
            self.sources[nodeid] = ((file_rank, line), body)
        return self.sources[nodeid]

    def entry(self, raw: str) -> Entry:
        return self.entries.setdefault(raw, Entry(raw))

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            for mark in item.iter_markers(name="task"):
                self.entry(raw_name(item.nodeid)).task_id = int(mark.kwargs["taskno"])
        # unittest's classes are collected in alphabetical order: run them as defined.
        items.sort(key=lambda item: self.locate(item.nodeid, item.path)[0])

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.channel.send("start", id=nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        raw = raw_name(report.nodeid)
        if report.head_line:
            raw = report.head_line.split(" (")[0]
        entry = self.entry(raw)
        context = getattr(report, "context", None)
        variation = context is not None and getattr(context, "msg", None) is not None
        if variation:
            # What the code printed since the last variation ended is this variation's.
            entry.output = self.take_output()
        if report.passed and report.when != "call":
            return
        # The first failure of a test is its verdict (a teardown error after a failing call
        # does not replace the failure).
        if report.failed and entry.status == "pass":
            message = None
            longrepr = report.longrepr
            trace = getattr(longrepr, "reprtraceback", None)
            if trace is not None:
                crash = getattr(longrepr, "reprcrash", None)
                message = make_message(trace, getattr(crash, "path", None), self.root)
            entry.fail("fail" if report.when == "call" else "error", message)
        path = Path(self.root) / report.fspath
        entry.order, entry.test_code = self.locate(report.nodeid, path)
        if variation:
            parent = self.entry(raw.split(" [")[0])
            entry.parent = parent.raw
            entry.task_id = parent.task_id
            entry.order = parent.order = self.locate(report.nodeid, path)[0]
            if report.failed:
                parent.fail("fail", VARIATIONS_FAILED)

    def take_output(self) -> str | None:
        """What the code printed since this was last asked, and no more: each variation's own
        output is read from pytest's capture as the variation ends."""
        if self.capture is None:
            return None
        captured = self.capture.read_global_capture()
        out = str(captured.out).strip()
        return clip(out)[0] if out else None

    def pytest_exception_interact(
        self, node: pytest.Item | pytest.Collector, call: pytest.CallInfo[Any], report: Any
    ) -> None:
        """The last error is the run's message when no test could run."""
        if report.outcome != "failed" or call.excinfo is None:
            return
        chain = call.excinfo.getrepr(style="no", abspath=False).chain  # type: ignore[union-attr]
        friendly = any(name in node.name for name in FRIENDLY_IMPORT_ERRORS)
        if friendly and "ImportError" in str(chain[0]) and len(chain) > 1:
            trace = chain[-2][0]
        else:
            trace = chain[-1][0]
        crash = chain[0][1]
        self.last_error = make_message(trace, getattr(crash, "path", None), self.root)

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        """Sends the run's results, ordered as Exercism shows them."""
        code = pytest.ExitCode(int(exitstatus))
        results: dict[str, Any] = {"version": 3, "status": "pass"}
        if code is pytest.ExitCode.TESTS_FAILED:
            results["status"] = "fail"
        elif code is not pytest.ExitCode.OK:
            results["status"] = "error"
            results["message"] = self.last_error or (
                f"Unexpected ExitCode.{code.name}: check logs for details"
            )
        entries = list(self.entries.values())
        for e in entries:
            # Only a failing test's variations show what they printed.
            if e.parent is None or self.entries[e.parent].status == "pass":
                e.output = None
        if any(e.status == "fail" for e in entries) and results["status"] == "pass":
            results["status"] = "fail"
        # With task numbers, by task and then name (a variation before its `~` parent);
        # otherwise in the order the tests are defined.
        if any(e.task_id > 0 for e in entries):
            entries.sort(key=lambda e: (e.task_id, display_name(e.raw, e.task_id)))
        else:
            entries.sort(key=lambda e: e.order)
        results["tests"] = [e.as_json() for e in entries]
        self.channel.send("exercism-results", results=results)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--exercism-results-fd", metavar="N", type=int, help="results channel")
    parser.addoption("--exercism-token-fd", metavar="N", type=int, help="the channel's token")
    parser.addoption("--exercism-results", metavar="PATH", help="write the results to PATH")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "task(taskno): the exercise's task this test is of")
    channel = Channel.from_options(
        config.getoption("--exercism-results-fd"),
        config.getoption("--exercism-token-fd"),
        config.getoption("--exercism-results"),
    )
    if channel is None:
        return
    channel.hello(python=".".join(map(str, sys.version_info[:3])), pytest=pytest.__version__)
    files = [Path(a).name for a in config.args]
    reporter = Reporter(channel, str(config.rootpath), files)
    reporter.capture = config.pluginmanager.getplugin("capturemanager")
    config.pluginmanager.register(reporter, "exercism-reporter")
    # Before any learner code runs: an import of these by learner code gives it copies of its
    # own, so that replacing the channel's `send` there changes nothing the session uses.
    pygrade_graders.hide("pygrade_graders.exercism", "pygrade_graders.protocol")
