"""A pytest plugin that reports each test to pygrade as it finishes.

pygrade loads it with `-p pygrade_graders.pytest_plugin --pygrade-results-fd N`. The channel,
a pipe pygrade opened on descriptor N, is taken over in `pytest_configure`, before any test
module (and so any learner code) is imported. Results go to that channel only; what learner code prints is captured by pytest per test and
attached, clipped, to that test's result.
"""

from __future__ import annotations

import io
import os
import re
import sys
import time
import types
from collections.abc import Generator
from dataclasses import dataclass, field

import pytest
from _pytest import capture

import pygrade_graders.audit
import pygrade_graders.protocol
import pygrade_graders.tamper
from pygrade_graders.audit import FrameGuard, Trust
from pygrade_graders.protocol import Channel, clip
from pygrade_graders.tamper import TestModules, Watch, WatchedNamespaces


def display_name(nodeid: str) -> str:
    """Turn `tests/test_x.py::TestY::test_counts_words[a-1]` into `counts words [a-1]`."""
    function = nodeid.split("::")[-1]
    base, bracket, params = function.partition("[")
    base = base.removeprefix("test_").replace("_", " ").strip()
    return f"{base} [{params}" if bracket else base


def classify_collect_error(error: BaseException) -> str:
    """Name why a test module could not be collected, looking through pytest's wrappers."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, SyntaxError):
            return "syntax-error"
        if isinstance(seen, ImportError):
            return "import-error"
        seen = seen.__cause__
    return "exception"


@dataclass
class Outcome:
    """What the setup, call and teardown phases of one test added up to."""

    status: str = "pass"
    message: str | None = None
    location: str | None = None
    output: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)


# This package's modules that run a session's reporting and its tamper watch. Once the reporter
# is made, before any learner code runs, they are hidden (`pygrade_graders.hide`): learner code
# that imports one gets a fresh copy of its own, and what it changes there reaches nothing the
# session uses. The comparison helpers, which the tests import, stay, and are watched.
OWN_MODULES = (
    "pygrade_graders.pytest_plugin",
    "pygrade_graders.pytest_preload",
    "pygrade_graders.tamper",
    "pygrade_graders.protocol",
    "pygrade_graders.audit",
)


# The modules of this package the tests' results rely on, taken as imported (they leave
# `sys.modules` and the package once a session's reporter is made).
WATCHED_MODULES = (pygrade_graders.audit, pygrade_graders.protocol, pygrade_graders.tamper, sys.modules[__name__])


def watched_modules() -> list[types.ModuleType]:
    """The modules of this package the tests' results rely on, watched beside pytest's."""
    return list(WATCHED_MODULES)


class Reporter:
    """Turns pytest's hooks into protocol events."""

    def __init__(
        self, channel: Channel, rootdir: str, keep: bool = False, made: WatchedNamespaces | None = None
    ) -> None:
        self.channel = channel
        self.outcomes: dict[str, Outcome] = {}
        self.root_prefix = rootdir.rstrip("/") + "/"
        self.tests_prefix = self.root_prefix + "tests/"
        self.scratch_prefixes = scratch_prefixes(os.environ.get("TMPDIR"))
        # Taken before any learner code is imported, as is everything the reporter relies on:
        # this module's own classes and functions among them.
        modules_before = dict(sys.modules)
        # `made`: what a warm worker made before it forked (see `pytest_preload`), if it did.
        self.watch = Watch(also=watched_modules(), made=made)
        self.test_modules = TestModules(rootdir, modules_before, self.relative, keep)
        self.test_modules.remember_sources(self.tests_prefix)
        # Sent once each, as soon as they are seen: a run that ends abruptly later still shows them.
        self.told: set[str] = set()
        self.guard = FrameGuard(Trust(self.tests_prefix), self.relative, self.tell_inspected)

    def relative(self, text: str) -> str:
        """Paths in messages as the learner reads them: relative to the check's folder, and
        in the scratch folder (`TMPDIR`, where pytest's `tmp_path` lies) from `$TMPDIR`. Both
        folders are named anew for every check and gone once it ends: so named, two gradings
        of the same files say the same."""
        text = text.replace(self.root_prefix, "")
        for prefix in self.scratch_prefixes:
            text = text.replace(prefix, "$TMPDIR/")
        return text

    @staticmethod
    def failure_text(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
        """A failed test's report under `--tb=no`: the exception's text. pytest would go
        through the whole traceback, every frame from its own runner down, to format it for a
        terminal that `--tb=no` never shows it on (about a millisecond a failure); pygrade's
        messages come from the exception itself (see `pytest_runtest_makereport`)."""
        return excinfo.exconly()

    def failure_location(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str | None:
        """Where a test failed, as `file:line` of the deepest frame in a trusted test file: the
        test's own line, not the standard library's assert helper or the learner's code."""
        for entry in reversed(excinfo.traceback):
            path = str(entry.path)
            if path.startswith(self.tests_prefix):
                return f"{self.relative(path)}:{entry.lineno + 1}"
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> None:
        """Learner code first runs when the test modules that import it are collected: the
        guard starts watching here, not during pytest's own start (which reads every plugin's
        fixtures, each read an event for the guard to look at). From here on it also counts
        the assignments of a function's code and defaults, which spares the tamper watch's
        look reading its functions' insides while the count stands (see `tamper.Namespaces`)."""
        self.guard.install()
        guard = self.guard
        self.watch.count_insides_by(lambda: guard.insides_set)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        tests = []
        for item in session.items:
            marker = item.get_closest_marker("weight")
            weight = marker.args[0] if marker and marker.args else 1
            path, line, _ = item.location
            tests.append(
                {
                    "id": item.nodeid,
                    "name": display_name(item.nodeid),
                    "weight": weight,
                    "file": path,
                    "line": (line or 0) + 1,
                }
            )
        self.channel.send("collected", tests=tests)
        if session.config.option.tbstyle == "no":
            # A failure's report is then the exception's text (see `failure_text`).
            for item in session.items:
                if isinstance(item, pytest.Function):
                    setattr(item, "repr_failure", self.failure_text)
        # Learner code has run by now, while the test modules were imported.
        found: list[str] = []
        for item in session.items:
            module = getattr(item, "module", None)
            if isinstance(module, types.ModuleType):
                found += self.test_modules.add(module)
        self.tell_replaced(found)
        self.check()

    def check(self) -> None:
        """Tells pygrade what learner code has replaced by now that it had not yet told."""
        self.tell_replaced(self.watch.replaced() + self.test_modules.replaced())

    def tell_replaced(self, replaced: list[str]) -> None:
        new = list(dict.fromkeys(name for name in replaced if name not in self.told))
        if new:
            self.told.update(new)
            self.channel.send("tampered", replaced=new)

    def tell_inspected(self, finding: str) -> None:
        self.channel.send("tampered", replaced=[], inspected=[finding])

    def pytest_exception_interact(
        self,
        node: pytest.Item | pytest.Collector,
        call: pytest.CallInfo[object],
        report: pytest.CollectReport | pytest.TestReport,
    ) -> None:
        if not isinstance(report, pytest.CollectReport) or call.excinfo is None:
            return
        # pytest's text starts with its own import machinery; the `E` lines are the error.
        lines = [line[4:] for line in report.longreprtext.splitlines() if line.startswith("E ")]
        message, _ = clip(self.relative("\n".join(lines) or report.longreprtext))
        self.channel.send(
            "collect-error",
            kind=classify_collect_error(call.excinfo.value),
            message=message,
            location=node.nodeid,
        )

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.outcomes[nodeid] = Outcome()
        self.channel.send("start", id=nodeid)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        outcome = self.outcomes.setdefault(item.nodeid, Outcome())
        # Each phase's report repeats the output captured in the phases before it.
        outcome.output = [text for title, text in report.sections if title.startswith("Captured")]
        if report.skipped and outcome.status == "pass":
            outcome.status = "skipped"
            outcome.message = skip_reason(report)
            outcome.location = self.skip_location(report)
        elif report.failed and outcome.status in ("pass", "skipped"):
            excinfo = call.excinfo
            assertion = excinfo is not None and excinfo.errisinstance(
                (AssertionError, pytest.fail.Exception)
            )
            outcome.status = "fail" if call.when == "call" and assertion else "error"
            text = excinfo.exconly() if excinfo is not None else report.longreprtext
            if call.when != "call":
                text = f"error in test {call.when}: {text}"
            outcome.message, _ = clip(self.relative(text))
            crash = getattr(report.longrepr, "reprcrash", None)
            if excinfo is not None:
                outcome.location = self.failure_location(excinfo)
            if outcome.location is None and crash is not None:
                outcome.location = f"{self.relative(str(crash.path))}:{crash.lineno}"
        return report

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        outcome = self.outcomes.pop(nodeid, Outcome())
        output, truncated = clip("".join(outcome.output))
        self.channel.send(
            "result",
            id=nodeid,
            status=outcome.status,
            message=outcome.message,
            location=outcome.location,
            output=output,
            output_truncated=truncated,
            duration_ms=round((time.perf_counter() - outcome.started) * 1000),
        )
        # After teardown, where the test's own patches (monkeypatch) are undone.
        self.check()

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        self.check()
        self.guard.armed = False  # what runs after the end cannot change the results
        self.channel.send("done", exit_status=int(exitstatus))

    def skip_location(self, report: pytest.TestReport) -> str | None:
        """Where a skip was decided, `file:line`: a skip marker's test, or the frame that called
        `pytest.skip` (which may be the learner's code)."""
        longrepr = report.longrepr
        if isinstance(longrepr, tuple) and len(longrepr) == 3:
            return f"{self.relative(str(longrepr[0]))}:{longrepr[1]}"
        return None


def scratch_prefixes(tmpdir: str | None) -> list[str]:
    """How a path in the scratch folder `tmpdir` begins: as given, and with its links resolved
    (as pytest's `tmp_path` has it). Nothing for no folder, or for the root."""
    given = (tmpdir or "").rstrip("/")
    if not given:
        return []
    resolved = os.path.realpath(given).rstrip("/")
    return [f"{path}/" for path in dict.fromkeys((given, resolved)) if path]


def skip_reason(report: pytest.TestReport) -> str | None:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return re.sub(r"^Skipped: ", "", str(longrepr[2]))
    return None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--pygrade-results-fd",
        metavar="N",
        type=int,
        help="write pygrade's per-test results, one JSON line each, to descriptor N",
    )
    parser.addoption(
        "--pygrade-token-fd",
        metavar="N",
        type=int,
        help="read the token every result line must carry from descriptor N",
    )
    parser.addoption(
        "--pygrade-results",
        metavar="PATH",
        help="write the results to the file PATH instead (for trying the plugin by hand)",
    )
    parser.addoption(
        "--pygrade-write-rewritten",
        action="store_true",
        help="write to __pycache__ what later runs can take from it, for pygrade to keep: the "
        "test modules pytest rewrites (even under `python -B`), and each one's top-level "
        "bindings (only in a run of trusted code)",
    )


def decode_captured(self: capture.CaptureIO) -> str:
    """What a test printed, with bytes that are not UTF-8 shown as replacement characters."""
    buffer = self.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("UTF-8", "replace")


def tolerate_invalid_utf8() -> None:
    """pytest keeps what a test prints as bytes and decodes them strictly, so one invalid byte
    written to `sys.stdout.buffer` would break the capture of that test and every later one.
    Decoded with replacement characters instead: the bytes show, and the run goes on."""
    setattr(capture.CaptureIO, "getvalue", decode_captured)


def pytest_configure(config: pytest.Config) -> None:
    # A run of trusted code, whose test modules' rewriting and bindings later runs take.
    keep = bool(config.getoption("--pygrade-write-rewritten"))
    if keep:
        # pytest keeps each test module it rewrites in the `__pycache__` beside it, under a
        # name of its own and checked against the source's hash, unless Python writes no
        # bytecode (`-B`, as pygrade runs it).
        sys.dont_write_bytecode = False
    config.addinivalue_line(
        "markers", "weight(n): this test is worth n shares of the check's points"
    )
    channel = Channel.from_options(
        config.getoption("--pygrade-results-fd"),
        config.getoption("--pygrade-token-fd"),
        config.getoption("--pygrade-results"),
    )
    if channel is None:
        return
    tolerate_invalid_utf8()
    # `platform` would cost a noticeable part of a short run to import.
    channel.hello(python=".".join(map(str, sys.version_info[:3])), pytest=pytest.__version__)
    # What a warm worker made before it forked (see `pytest_preload`), if it did: taken, and
    # let go of there, before this package's modules are hidden.
    preload = sys.modules.get("pygrade_graders.pytest_preload")
    made = vars(preload).pop("WATCHED", None) if preload is not None else None
    pygrade_graders.hide(*OWN_MODULES)
    config.pluginmanager.register(Reporter(channel, str(config.rootpath), keep, made), "pygrade-reporter")
