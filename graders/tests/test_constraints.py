"""The constraints harness: rules read from the syntax tree, through the file's imports."""

import ast
from pathlib import Path

import pytest

from pygrade_graders.constraints import check, run


def places(rule: dict[str, str], source: str) -> list[int]:
    return [f.line for f in check(rule, {"m.py": ast.parse(source)})]


def test_a_call_is_found_through_every_way_of_naming_it() -> None:
    rule = {"kind": "forbid-call", "target": "time.sleep"}
    source = (
        "import time\n"
        "import time as t\n"
        "from time import sleep\n"
        "from time import sleep as nap\n"
        "time.sleep(1)\n"
        "t.sleep(1)\n"
        "sleep(1)\n"
        "nap(1)\n"
        "getattr(time, 'sleep')(1)\n"
        "__import__('time').sleep(1)\n"
        "time.monotonic()\n"
        "pause = getattr(t, 'sleep')\n"
        "later = pause\n"
        "later(1)\n"
    )
    assert places(rule, source) == [5, 6, 7, 8, 9, 10, 14]


def test_a_module_counts_with_what_is_inside_it() -> None:
    forbid = {"kind": "forbid-call", "target": "os.path"}
    assert places(forbid, "import os\nos.path.join('a', 'b')\nos.getcwd()\n") == [2]
    require = {"kind": "require-import", "target": "pathlib"}
    assert places(require, "from pathlib import Path\n") == [1]
    assert places(require, "import pathlib2\n") == []


def test_a_method_of_the_same_name_is_not_the_builtin() -> None:
    rule = {"kind": "forbid-call", "target": "open"}
    assert places(rule, "from pathlib import Path\nPath('x').open()\nopen('x')\n") == [3]
    assert places(rule, "__import__('builtins').open('x')\nimport builtins\nbuiltins.open('y')\n") == [1, 3]


def test_constructs_properties_and_bases() -> None:
    source = (
        "from abc import ABC\n"
        "import abc\n"
        "class Base(ABC): ...\n"
        "class Other(abc.ABC): ...\n"
        "class Plain: ...\n"
        "class Counter:\n"
        "    @property\n"
        "    def value(self) -> int:\n"
        "        return 1\n"
        "    def total(self) -> int:\n"
        "        try:\n"
        "            return 1\n"
        "        except:\n"
        "            return 0\n"
    )
    assert places({"kind": "forbid", "target": "bare-except"}, source) == [13]
    assert places({"kind": "property", "target": "Counter.value"}, source) == [8]
    assert places({"kind": "property", "target": "Counter.total"}, source) == []
    assert places({"kind": "derives-from", "target": "Base abc.ABC"}, source) == [3]
    assert places({"kind": "derives-from", "target": "Other abc.ABC"}, source) == [4]
    assert places({"kind": "derives-from", "target": "Plain abc.ABC"}, source) == []


def test_reaching_for_code_or_its_file_is_introspection() -> None:
    rule = {"kind": "forbid", "target": "introspection"}
    source = (
        "import pricing\n"
        "from pathlib import Path\n"
        "Path(pricing.__file__).read_bytes()\n"
        "pricing.total.__code__\n"
        "getattr(pricing, '__spec__')\n"
        "name = 'x'\n"
        "getattr(pricing, name)\n"
        "getattr(pricing, 'total')(1)\n"
        "pricing.total(2)\n"
    )
    assert places(rule, source) == [3, 4, 5, 7]


def test_a_file_that_cannot_be_read_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "deep.py").write_text("x = " + "a." * 50_000 + "b\n")
    monkeypatch.chdir(tmp_path)
    spec = {"files": ["broken.py"], "rules": [{"kind": "forbid", "target": "global"}]}
    assert run(spec)["syntax"]["file"] == "broken.py"
    deep = run({"files": ["deep.py"], "rules": [{"kind": "forbid-call", "target": "time.sleep"}]})
    assert "syntax" in deep or deep["rules"] == [{"findings": []}]
