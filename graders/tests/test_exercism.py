"""The Exercism plugin's names, test code and messages, as Exercism's Python runner gives them."""

import json
from pathlib import Path
from typing import Any

import pytest

from pygrade_graders.exercism import display_name, drop_foreign_frames, function_source


@pytest.mark.parametrize(
    ("raw", "task_id", "name"),
    [
        ("ExampleSuccessTest.test_hello", 0, "ExampleSuccess > hello"),
        ("ExampleTest.test_two_words", 1, "Example > two words~"),
        ("ExampleTest.test_hello [variation #1]", 1, "Example > hello [variation #1]"),
        ("test_plain_function", 0, "test plain function"),
    ],
)
def test_names_read_as_exercism_shows_them(raw: str, task_id: int, name: str) -> None:
    assert display_name(raw, task_id) == name


def test_test_code_is_the_dedented_body_of_the_function() -> None:
    source = (
        "import unittest\n\n\nclass T(unittest.TestCase):\n"
        "    def test_a(self):\n        x = 1\n\n        self.assertEqual(\n            x, 1)\n\n"
        "    def test_b(self):\n        pass\n"
    )
    assert function_source(source, "test_a", "T") == (5, "x = 1\n\nself.assertEqual(\n    x, 1)")
    assert function_source(source, "test_b", "T") == (11, "pass")
    assert function_source(source, "test_c", "T") is None


def test_frames_outside_the_solution_folder_are_left_out() -> None:
    text = (
        "/usr/lib/python3/importlib/__init__.py:88: in import_module\n"
        "    return _bootstrap._gcd_import(name[level:], package, level)\n"
        "           ^^^^^^^^^^\n"
        "<frozen importlib._bootstrap>:1395: in _gcd_import\n    ???\n"
        "two_fer_test.py:4: in <module>\n    from two_fer import two_fer\n"
        "E   ImportError: cannot import name 'two_fer'"
    )
    assert drop_foreign_frames(text) == (
        "two_fer_test.py:4: in <module>\n    from two_fer import two_fer\n"
        "E   ImportError: cannot import name 'two_fer'"
    )


def run(pytester: pytest.Pytester, files: dict[str, str]) -> dict[str, Any]:
    for name, source in files.items():
        (pytester.path / name).write_text(source)
    out = pytester.path / "results.jsonl"
    pytester.runpytest_subprocess(
        "-p", "pygrade_graders.exercism", "--exercism-results", str(out),
        "--capture=sys", "-p", "no:cacheprovider", "--tb=no", *[n for n in files if "_test" in n],
    )
    events = [json.loads(line) for line in out.read_text().splitlines()]
    results: dict[str, Any] = events[-1]["results"]
    return results


def test_a_failing_variation_fails_its_test_and_shows_what_it_printed(
    pytester: pytest.Pytester,
) -> None:
    results = run(pytester, {
        "hello.py": "def hello(n):\n    print('called with', n)\n    return n\n",
        "hello_test.py": (
            "import unittest\nimport pytest\nfrom hello import hello\n\n"
            "class HelloTest(unittest.TestCase):\n"
            "    @pytest.mark.task(taskno=1)\n"
            "    def test_hello(self):\n"
            "        for n in [1, 2]:\n"
            "            with self.subTest(f'variation #{n}', n=n):\n"
            "                self.assertEqual(hello(n), 1)\n"
        ),
    })
    assert results["status"] == "fail"
    summary = [(t["name"], t["status"], t["task_id"], t.get("output")) for t in results["tests"]]
    assert summary == [
        ("Hello > hello [variation #1]", "pass", 1, "called with 1"),
        ("Hello > hello [variation #2]", "fail", 1, "called with 2"),
        ("Hello > hello~", "fail", 1, None),
    ]
    assert results["tests"][1]["message"] == "AssertionError: 2 != 1"


def test_learner_code_that_imports_the_channel_by_name_changes_a_copy_nothing_uses(
    pytester: pytest.Pytester,
) -> None:
    """A solution that replaces the channel's `send`, to turn every test into a pass, replaces
    it in a fresh copy of the module: the results stay true."""
    results = run(pytester, {
        "hello.py": (
            "import pygrade_graders.protocol as protocol\n\n"
            "send = protocol.Channel.send\n\n"
            "def lying_send(self, event, **fields):\n"
            "    if event == 'exercism-results':\n"
            "        fields['status'] = 'pass'\n"
            "        fields['tests'] = [dict(t, status='pass') for t in fields['tests']]\n"
            "    send(self, event, **fields)\n\n"
            "protocol.Channel.send = lying_send\n\n"
            "def hello(n):\n    return n\n"
        ),
        "hello_test.py": (
            "from hello import hello\n\n"
            "def test_hello():\n    assert hello(2) == 1\n"
        ),
    })
    assert results["status"] == "fail"
    assert [t["status"] for t in results["tests"]] == ["fail"]


def test_a_syntax_error_is_the_runs_error_with_paths_in_the_folder(
    pytester: pytest.Pytester,
) -> None:
    results = run(pytester, {
        "bob.py": "def hello(;\n",
        "bob_test.py": "from bob import hello\n\ndef test_hello():\n    assert hello()\n",
    })
    assert results["status"] == "error"
    assert results["tests"] == []
    message = results["message"]
    assert "SyntaxError" in message.splitlines()[-1]
    assert 'File "./bob.py", line 1' in message
    assert str(Path(pytester.path)) not in message
