"""The pytest plugin, run on small test suites the way pygrade runs it."""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pygrade_graders.pytest_plugin import classify_collect_error, display_name, scratch_prefixes

PLUGIN = ["-p", "pygrade_graders.pytest_plugin"]


def run(pytester: pytest.Pytester, *files: tuple[str, str], args: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Runs pytest with the plugin over `files` (and `args`) and returns the events it wrote."""
    for name, source in files:
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    results = pytester.path / "results.jsonl"
    results.unlink(missing_ok=True)
    pytester.runpytest_subprocess(*PLUGIN, "--pygrade-results", str(results), "-p", "no:cacheprovider", *args)
    return [json.loads(line) for line in results.read_text().splitlines()]


def results_by_name(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    names = {t["id"]: t["name"] for e in events if e["event"] == "collected" for t in e["tests"]}
    return {names[e["id"]]: e for e in events if e["event"] == "result"}


@pytest.mark.parametrize(
    ("nodeid", "name"),
    [
        ("tests/test_x.py::test_counts_words", "counts words"),
        ("tests/test_x.py::TestSuite::test_counts_words", "counts words"),
        ("tests/test_x.py::test_counts[a-1]", "counts [a-1]"),
    ],
)
def test_display_names_read_like_sentences(nodeid: str, name: str) -> None:
    assert display_name(nodeid) == name


def test_collect_errors_are_classified_through_pytest_wrappers() -> None:
    wrapped = RuntimeError("collect error")
    wrapped.__cause__ = SyntaxError("invalid syntax")
    assert classify_collect_error(wrapped) == "syntax-error"
    assert classify_collect_error(ModuleNotFoundError("x")) == "import-error"
    assert classify_collect_error(ValueError("boom")) == "exception"


def test_each_test_is_reported_with_its_status_and_weight(pytester: pytest.Pytester) -> None:
    events = run(
        pytester,
        (
            "test_sample.py",
            """
import pytest

def test_passes() -> None:
    assert 1 + 1 == 2

@pytest.mark.weight(3)
def test_fails() -> None:
    print("learner output")
    assert [1, 2] == [1, 3]

def test_raises() -> None:
    raise NotImplementedError("todo")

def test_skipped() -> None:
    pytest.skip("not today")
""",
        ),
    )
    assert events[0]["event"] == "hello"
    assert events[-1]["event"] == "done"
    collected = next(e for e in events if e["event"] == "collected")["tests"]
    assert [t["weight"] for t in collected] == [1, 3, 1, 1]
    results = results_by_name(events)
    assert results["passes"]["status"] == "pass"
    assert results["fails"]["status"] == "fail"
    assert "assert [1, 2] == [1, 3]" in results["fails"]["message"]
    assert results["fails"]["location"] == "test_sample.py:10"
    assert results["fails"]["output"] == "learner output\n", "output is reported once"
    assert results["raises"]["status"] == "error"
    assert results["raises"]["message"] == "NotImplementedError: todo"
    assert results["skipped"]["status"] == "skipped"
    assert results["skipped"]["message"] == "not today"


def test_a_start_event_precedes_each_result(pytester: pytest.Pytester) -> None:
    events = run(pytester, ("test_two.py", "def test_a() -> None: pass\ndef test_b() -> None: pass\n"))
    kinds = [e["event"] for e in events]
    assert kinds == ["hello", "collected", "start", "result", "start", "result", "done"]


def test_a_syntax_error_in_imported_code_is_a_collect_error(pytester: pytest.Pytester) -> None:
    events = run(
        pytester,
        ("solution.py", "def broken(:\n    pass\n"),
        ("test_solution.py", "from solution import broken\n\ndef test_it() -> None:\n    broken()\n"),
    )
    error = next(e for e in events if e["event"] == "collect-error")
    assert error["kind"] == "syntax-error"
    assert "solution.py" in error["message"] and "SyntaxError" in error["message"]
    assert str(pytester.path) not in error["message"], "paths are relative to the check's folder"


def test_huge_output_is_clipped_and_flagged(pytester: pytest.Pytester) -> None:
    events = run(pytester, ("test_noisy.py", "def test_noisy() -> None:\n    print('x' * 100_000)\n"))
    result = results_by_name(events)["noisy"]
    assert result["status"] == "pass"
    assert result["output_truncated"] is True
    assert len(result["output"]) < 10_000


def test_without_the_option_the_plugin_writes_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_quiet="def test_ok() -> None: pass\n")
    outcome = pytester.runpytest_subprocess(*PLUGIN)
    outcome.assert_outcomes(passed=1)
    assert not list(Path(pytester.path).glob("*.jsonl"))


def test_replacing_a_builtin_is_reported_as_tampering(pytester: pytest.Pytester) -> None:
    events = run(
        pytester,
        (
            "test_sneaky.py",
            "import builtins\nbuiltins.sorted = lambda items, **options: list(items)\n\ndef test_x() -> None:\n    pass\n",
        ),
    )
    tampered = next(e for e in events if e["event"] == "tampered")
    assert tampered["replaced"] == ["builtins.sorted"]


def test_an_honest_run_reports_no_tampering(pytester: pytest.Pytester) -> None:
    events = run(pytester, ("test_honest.py", "def test_x(monkeypatch: pytest.MonkeyPatch) -> None:\n    monkeypatch.setattr('builtins.len', lambda x: 0)\n"))
    assert not [e for e in events if e["event"] == "tampered"], "a patch undone by its test is fine"


def test_a_failure_is_located_at_the_deepest_line_of_a_test_file(pytester: pytest.Pytester) -> None:
    events = run(
        pytester,
        ("shapes.py", "def area(w: int, h: int) -> int:\n    raise ValueError('no area')\n"),
        (
            "tests/test_shapes.py",
            """
import unittest

from shapes import area

class ShapesTest(unittest.TestCase):
    def test_square(self) -> None:
        self.assertEqual(2 * 2, 5)

    def test_area(self) -> None:
        self.assertEqual(area(2, 3), 6)
""",
        ),
    )
    results = results_by_name(events)
    # Not unittest's own assert helper, nor the learner's module: the test's line.
    assert results["square"]["location"] == "tests/test_shapes.py:8"
    assert results["area"]["location"] == "tests/test_shapes.py:11"


def test_paths_in_the_scratch_folder_are_named_from_tmpdir(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The scratch folder is named anew for every check: messages name it the same way in
    every grading, as they name the check's folder."""
    scratch = tmp_path_factory.mktemp("scratch-x1Y2z3")
    monkeypatch.setenv("TMPDIR", str(scratch) + "/")
    events = run(
        pytester,
        (
            "tests/test_files.py",
            """
import os
import tempfile

def test_writes_a_report() -> None:
    path = os.path.join(tempfile.gettempdir(), "pytest-of-me", "report.txt")
    assert os.path.exists(path), f"no report at {path}"
""",
        ),
    )
    message = results_by_name(events)["writes a report"]["message"]
    assert "no report at $TMPDIR/pytest-of-me/report.txt" in message
    assert str(scratch) not in message


@pytest.mark.parametrize("tmpdir", [None, "", "/"])
def test_no_scratch_folder_or_the_root_gives_no_prefix(tmpdir: str | None) -> None:
    assert scratch_prefixes(tmpdir) == []


def test_a_scratch_folder_through_a_link_is_named_both_ways(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert scratch_prefixes(f"{tmp_path}/link/") == [f"{tmp_path}/link/", f"{tmp_path.resolve()}/real/"]


def test_under_tb_no_a_failure_is_reported_without_formatting_its_traceback(pytester: pytest.Pytester) -> None:
    files = [
        (
            "tests/conftest.py",
            """
import json

def pytest_runtest_logreport(report):
    if report.failed:
        with open("longreprs.jsonl", "a") as file:
            print(json.dumps([type(report.longrepr).__name__, report.longreprtext]), file=file)
""",
        ),
        ("shapes.py", "def area(w: int, h: int) -> int:\n    raise ValueError('no area')\n"),
        (
            "tests/test_shapes.py",
            """
from shapes import area

def test_fails() -> None:
    assert [1, 2] == [1, 3]

def test_raises() -> None:
    assert area(2, 3) == 6
""",
        ),
    ]
    longreprs = pytester.path / "longreprs.jsonl"

    def reports(*args: str) -> tuple[dict[str, dict[str, Any]], list[list[str]]]:
        longreprs.unlink(missing_ok=True)
        results = results_by_name(run(pytester, *files, args=args))
        return results, [json.loads(line) for line in longreprs.read_text().splitlines()]

    formatted, pytests = reports()
    plain, texts = reports("--tb=no")
    # pytest's own report, for a terminal that shows it, formats the traceback with its source.
    assert [kind for kind, _ in pytests] == ["ExceptionChainRepr"] * 2
    assert "def test_fails() -> None:" in pytests[0][1]
    # Under `--tb=no`, which never shows it, the report holds the exception's text...
    assert [kind for kind, _ in texts] == ["str"] * 2
    assert texts[0][1].startswith("AssertionError: assert [1, 2] == [1, 3]")
    assert texts[1][1] == "ValueError: no area"
    # ...and what pygrade reports is the same either way.
    assert plain == {name: {**result, "duration_ms": plain[name]["duration_ms"]} for name, result in formatted.items()}
    assert plain["raises"]["location"] == "tests/test_shapes.py:8"


def test_a_skip_says_where_it_was_decided(pytester: pytest.Pytester) -> None:
    events = run(
        pytester,
        ("helper.py", "import pytest\n\ndef give_up() -> None:\n    pytest.skip('from the code')\n"),
        (
            "tests/test_skips.py",
            """
import pytest

from helper import give_up

@pytest.mark.skip(reason="extra credit")
def test_marked() -> None:
    pass

def test_from_code() -> None:
    give_up()
""",
        ),
    )
    results = results_by_name(events)
    assert results["marked"]["location"].startswith("tests/test_skips.py:")
    assert results["from code"]["location"] == "helper.py:4"


def test_output_that_is_not_utf8_shows_and_breaks_no_later_test(pytester: pytest.Pytester) -> None:
    events = run(
        pytester,
        # pygrade captures this way, so that what a test prints also counts toward its limit.
        ("pytest.ini", "[pytest]\naddopts = --capture=tee-sys\n"),
        (
            "test_bytes.py",
            """
import sys

def test_writes_a_bad_byte() -> None:
    sys.stdout.buffer.write(b"bad \\xff byte\\n")

def test_after_it() -> None:
    print("fine")
""",
        ),
    )
    results = results_by_name(events)
    assert results["writes a bad byte"]["status"] == "pass"
    assert "bad \ufffd byte" in results["writes a bad byte"]["output"]
    assert results["after it"]["status"] == "pass"
