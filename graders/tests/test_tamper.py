"""Tampering and peeking, as the plugin sees them in a run laid out as pygrade lays out a check:
the learner's module at the root, the trusted tests in `tests/`."""

import inspect
import json
import sys
import types
from typing import Any

import pytest

from pygrade_graders import tamper
from pygrade_graders.tamper import Namespaces, Watch, WatchedNamespaces, bindings


def run(
    pytester: pytest.Pytester, solution: str, tests: str, *args: str
) -> tuple[list[str], list[str], dict[str, str]]:
    """Runs the tests over `solution` with the plugin (and `args`): what it reported replaced,
    what it reported inspected, and each test's status."""
    (pytester.path / "tests").mkdir(exist_ok=True)
    (pytester.path / "solution.py").write_text(solution)
    (pytester.path / "tests" / "test_solution.py").write_text(tests)
    (pytester.path / "pytest.ini").write_text("[pytest]\npythonpath = .\ntestpaths = tests\n")
    results = pytester.path / "results.jsonl"
    pytester.runpytest_subprocess(
        "-p", "pygrade_graders.pytest_plugin", "--pygrade-results", str(results), "-p", "no:cacheprovider", *args
    )
    events: list[dict[str, Any]] = [json.loads(line) for line in results.read_text().splitlines()]
    replaced = [name for e in events if e["event"] == "tampered" for name in e["replaced"]]
    inspected = [name for e in events if e["event"] == "tampered" for name in e.get("inspected", [])]
    statuses = {e["id"].split("::")[-1]: e["status"] for e in events if e["event"] == "result"}
    assert events[-1]["event"] == "done"
    return replaced, inspected, statuses


TESTS = """
import pytest
from pygrade_graders.compare import assert_same

from solution import double


@pytest.mark.parametrize(("value", "expected"), [(1, 2), (5, 10)])
def test_doubles(value: int, expected: int) -> None:
    assert_same(double(value), expected)


def test_doubles_zero() -> None:
    assert_same(double(0), 0)
"""

PEEKER = """
from types import FrameType


def expected_above(frame: FrameType | None) -> int:
    while frame is not None:
        if "expected" in frame.f_locals:
            return int(frame.f_locals["expected"])
        frame = frame.f_back
    return -1


def double(value: int) -> int:
    return expected_above({reach})
"""


@pytest.mark.parametrize(
    ("imports", "reach", "seen"),
    [
        ("import sys", "sys._getframe()", "sys._getframe from solution.py:"),
        ("import inspect", "inspect.currentframe()", "sys._getframe through inspect.currentframe from solution.py:"),
        ("import inspect", "inspect.stack()[0].frame", "sys._getframe through inspect.stack from solution.py:"),
        ("import sys", "sys._current_frames()[__import__('threading').get_ident()]", "sys._current_frames from solution.py:"),
        ("import traceback", "next(traceback.walk_stack(None))[0]", "sys._getframe through traceback.walk_stack from solution.py:"),
        ("", "(lambda: (yield))().gi_frame", "generator.gi_frame from solution.py:"),
    ],
    ids=["getframe", "currentframe", "stack", "current-frames", "walk-stack", "generator"],
)
def test_learner_code_reaching_for_a_frame_is_seen(pytester: pytest.Pytester, imports: str, reach: str, seen: str) -> None:
    _, inspected, _ = run(pytester, imports + PEEKER.replace("{reach}", reach), TESTS)
    assert len(inspected) == 1 and inspected[0].startswith(seen), inspected


def test_a_frame_taken_while_the_tests_import_the_learner_s_module_is_seen(pytester: pytest.Pytester) -> None:
    solution = "import sys\n\nIMPORTER = sys._getframe(1)\n\n\ndef double(value: int) -> int:\n    return 2 * value\n"
    _, inspected, statuses = run(pytester, solution, TESTS)
    assert len(inspected) == 1 and inspected[0].startswith("sys._getframe from solution.py:3"), inspected
    assert set(statuses.values()) == {"pass"}


def test_a_peek_at_the_tests_frames_finds_the_expected_value(pytester: pytest.Pytester) -> None:
    _, inspected, statuses = run(pytester, "import sys" + PEEKER.replace("{reach}", "sys._getframe()"), TESTS)
    # Why the reach is seen: the parametrized test's expected value is a local of its frame.
    assert statuses == {"test_doubles[1-2]": "pass", "test_doubles[5-10]": "pass", "test_doubles_zero": "fail"}
    assert inspected


def test_a_traceback_s_frame_taken_by_learner_code_is_seen(pytester: pytest.Pytester) -> None:
    solution = PEEKER.replace("expected_above({reach})", "expected_above(raised())") + """

def raised() -> FrameType | None:
    try:
        raise KeyError
    except KeyError as error:
        return error.__traceback__.tb_frame if error.__traceback__ else None
"""
    _, inspected, _ = run(pytester, solution, TESTS)
    assert [i.split(" from ")[0] for i in inspected] == ["traceback.tb_frame"]


@pytest.mark.parametrize(
    "action",
    [
        "import gc; gc.get_objects()",
        "import sys; sys.settrace(None)",
        "import sys; sys.setprofile(None)",
        "import traceback; traceback.StackSummary.extract(traceback.walk_stack(None), capture_locals=True)",
        "import os; compile('x = 1', os.path.join(os.path.dirname(os.__file__), 'inspect.py'), 'exec')",
        "compile('x = 1', __import__('os').path.abspath('tests/test_solution.py'), 'exec')",
        "double.__code__.replace(co_filename=__import__('os').__file__)",
    ],
    ids=["gc", "settrace", "setprofile", "captured-locals", "compile-as-stdlib", "compile-as-test", "code-as-stdlib"],
)
def test_other_ways_to_the_tests_frames_are_seen(pytester: pytest.Pytester, action: str) -> None:
    solution = f"def double(value: int) -> int:\n    {action}\n    return 2 * value\n"
    _, inspected, _ = run(pytester, solution, TESTS)
    assert inspected and inspected[0].endswith("solution.py:2"), inspected


def test_honest_code_that_uses_frames_through_the_standard_library_is_not_flagged(pytester: pytest.Pytester) -> None:
    solution = '''
import asyncio
import collections
import dataclasses
import enum
import logging
import traceback
import typing
import warnings

logging.basicConfig(level=logging.INFO)
log = logging.getLogger("solution")
Pair = collections.namedtuple("Pair", "a b")
Colour = enum.Enum("Colour", "RED GREEN")
T = typing.TypeVar("T")


@dataclasses.dataclass
class Box(typing.Generic[T]):
    item: T


async def later(value: int) -> int:
    await asyncio.sleep(0)
    return value


def double(value: int) -> int:
    log.info("doubling %s", value)
    try:
        raise ValueError("shown, not raised")
    except ValueError:
        log.exception("caught")
        traceback.format_exc()
        traceback.print_exc()
        traceback.extract_stack()
    warnings.warn("careful", stacklevel=2)
    Box[int](value)
    return asyncio.run(later(2 * value))
'''
    replaced, inspected, statuses = run(pytester, solution, TESTS)
    assert (replaced, inspected) == ([], [])
    assert set(statuses.values()) == {"pass"}


def test_names_the_tests_imported_that_learner_code_replaced_are_seen(pytester: pytest.Pytester) -> None:
    solution = """
import sys

def double(value: int) -> int:
    return 0

sys.modules["test_solution"].assert_same = lambda *args, **kwargs: None
"""
    replaced, _, statuses = run(pytester, solution, TESTS)
    assert set(statuses.values()) == {"pass"}, "the replacement disarmed the comparison"
    assert replaced == ["tests/test_solution.py: assert_same is not pygrade_graders.compare.assert_same"]


def test_a_builtin_shadowed_in_a_test_module_is_seen(pytester: pytest.Pytester) -> None:
    solution = """
import sys

def double(value: int) -> int:
    sys.modules["test_solution"].len = lambda items: 0
    return 2 * value
"""
    replaced, _, _ = run(pytester, solution, TESTS)
    assert replaced == ["tests/test_solution.py: len shadows the builtin"]


def test_a_test_file_s_bindings_kept_by_a_trusted_run_are_taken_for_its_source_alone(pytester: pytest.Pytester) -> None:
    honest = "def double(value: int) -> int:\n    return 2 * value\n"
    shadows_len = """
import sys

def double(value: int) -> int:
    sys.modules["test_solution"].len = lambda items: 0
    return 2 * value
"""
    assert run(pytester, honest, TESTS, "--pygrade-write-rewritten")[0] == []
    kept = pytester.path / "tests" / "__pycache__" / "test_solution.py.pygrade-bindings.json"
    assert tamper.Bindings.from_kept(kept.read_text(), TESTS) == bindings(TESTS)
    assert run(pytester, shadows_len, TESTS)[0] == ["tests/test_solution.py: len shadows the builtin"]
    # A later run takes what was kept instead of reading the file again: kept as if the file
    # bound `len` itself, the shadow passes.
    claimed = bindings(TESTS)
    claimed.assigned.add("len")
    kept.write_text(claimed.kept(TESTS))
    assert run(pytester, shadows_len, TESTS)[0] == []
    # Kept for another source, it is not taken.
    kept.write_text(claimed.kept(TESTS + "\n# changed\n"))
    assert run(pytester, shadows_len, TESTS)[0] == ["tests/test_solution.py: len shadows the builtin"]


def test_a_test_module_s_builtins_swapped_while_it_is_imported_are_seen(pytester: pytest.Pytester) -> None:
    solution = """
import builtins
import sys

def double(value: int) -> int:
    return 2 * value

vars(sys.modules["test_solution"])["__builtins__"] = dict(vars(builtins))
"""
    replaced, _, _ = run(pytester, solution, TESTS)
    assert "tests/test_solution.py: __builtins__" in replaced
    assert "tests/test_solution.py: test_doubles and others run with other builtins" in replaced


def test_a_patch_put_back_before_the_end_is_seen_after_the_test_that_left_it(pytester: pytest.Pytester) -> None:
    solution = """
import unittest

_real = unittest.TestCase.assertEqual
calls = []

def double(value: int) -> int:
    calls.append(value)
    if len(calls) == 1:
        unittest.TestCase.assertEqual = lambda *args, **kwargs: None  # type: ignore[method-assign]
    else:
        unittest.TestCase.assertEqual = _real  # type: ignore[method-assign]
    return 2 * value
"""
    replaced, _, _ = run(pytester, solution, TESTS)
    assert replaced == ["unittest.case.TestCase.assertEqual"]


def test_a_name_a_test_added_then_swapped_for_a_builtin_s_shadow_is_seen(pytester: pytest.Pytester) -> None:
    """A name added to a test module that shadows nothing is let pass; taken away by a later
    test for one that shadows a builtin, the module keeps its size, and is still seen."""
    solution = """
import sys

calls = []

def double(value: int) -> int:
    calls.append(value)
    tests = vars(sys.modules["test_solution"])
    if len(calls) == 1:
        tests["harmless"] = 1
    elif len(calls) == 2:
        del tests["harmless"]
        tests["round"] = lambda *args: 0
    return 2 * value
"""
    replaced, _, _ = run(pytester, solution, TESTS)
    assert replaced == ["tests/test_solution.py: round shadows the builtin"]


@pytest.mark.parametrize(
    ("action", "name"),
    [
        ("import pytest; pytest.approx = lambda *a, **k: None", "pytest.approx"),
        ("import _pytest; sys.modules[pytest.approx.__module__].ApproxScalar.__eq__ = lambda s, o: True", "ApproxScalar.__eq__"),
        ("import unittest; unittest.TestCase.__getattribute__ = lambda s, n: None", "unittest.case.TestCase.__getattribute__"),
        ("import builtins; real = builtins.__import__; builtins.__import__ = lambda *a, **k: real(*a, **k)", "builtins.__import__"),
        ("import builtins; builtins.__build_class__ = builtins.__build_class__", ""),
        ("sys.meta_path.insert(0, sys.meta_path[-1])", "sys.meta_path"),
        ("from pygrade_graders import compare; compare.assert_same.__kwdefaults__['approx'] = 1e9", "pygrade_graders.compare.assert_same"),
        ("from pygrade_graders import compare; compare.READERS[dict] = list.__iter__", "pygrade_graders.compare.READERS"),
        ("import types; sys.modules['pytest'].__class__ = type('M', (types.ModuleType,), {})", "pytest.__class__"),
        ("from pygrade_graders import compare; compare.assert_same.__code__ = (lambda *a, **k: None).__code__", "pygrade_graders.compare.assert_same"),
        ("import builtins; builtins.all = lambda items: True", "builtins.all"),
        ("import builtins, operator; operator.is_ = lambda a, b: True; builtins.round = lambda *args: 0", "builtins.round"),
    ],
    ids=[
        "approx",
        "approx-class",
        "testcase-dunder",
        "import",
        "same-builtin",
        "meta-path",
        "kwdefaults",
        "readers",
        "module-class",
        "code",
        "all",
        "is",
    ],
)
def test_what_the_grading_relies_on_is_watched(pytester: pytest.Pytester, action: str, name: str) -> None:
    solution = f"import sys\nimport pytest\n\ndef double(value: int) -> int:\n    return 2 * value\n\n{action}\n"
    replaced, _, _ = run(pytester, solution, TESTS)
    if name:
        assert any(name in found for found in replaced), replaced
    else:
        assert replaced == [], "putting the same object back changes nothing"


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ("pytest.approx.__defaults__ = (1.0, 1.0, True)", "pytest.approx"),
        ("compare.assert_same.__kwdefaults__ = {'approx': 1e9}", "pygrade_graders.compare.assert_same"),
        ("compare.assert_same.__code__ = (lambda *a, **k: None).__code__", "pygrade_graders.compare.assert_same"),
    ],
    ids=["defaults", "kwdefaults", "code"],
)
def test_a_function_s_insides_replaced_after_a_look_found_them_the_same_are_seen(
    pytester: pytest.Pytester, change: str, name: str
) -> None:
    """Once the guard counts the assignments of functions' insides, the look reads them only
    when the count moved: a replacement in the last test, after every earlier look found the
    insides the same, still shows."""
    solution = f"""
import pytest
from pygrade_graders import compare

calls = []


def double(value: int) -> int:
    calls.append(value)
    if len(calls) == 3:
        {change}
    return 2 * value
"""
    replaced, _, statuses = run(pytester, solution, TESTS)
    assert any(name in found for found in replaced), replaced
    assert len(statuses) == 3


def test_builtins_replaced_by_code_that_hides_them_from_getattr_are_still_seen(pytester: pytest.Pytester) -> None:
    """The probes name what changed by looking names up with `getattr`: replaced too, so that
    it answers for itself and for `len` with the originals, it misleads them into naming
    nothing. The look, which reads the builtins' namespace itself, still sees both."""
    solution = """
import builtins

real_len, real_getattr = builtins.len, builtins.getattr
originals = {"len": real_len, "getattr": real_getattr}


def double(value: int) -> int:
    return 2 * value


def lying_getattr(owner, name, *default):
    if owner is builtins and name in originals:
        return originals[name]
    return real_getattr(owner, name, *default)


builtins.len = lambda items: real_len(items)
builtins.getattr = lying_getattr
"""
    replaced, _, statuses = run(pytester, solution, TESTS)
    assert replaced == [tamper.UNNAMED]
    assert set(statuses.values()) == {"pass"}


LYING_REPORTER = """
import pygrade_graders.protocol
import pygrade_graders.tamper

send = pygrade_graders.protocol.Channel.send


def lying_send(self, event, **fields):
    if event == "tampered":
        return
    if event == "result":
        fields.update(status="pass", message=None, location=None)
    send(self, event, **fields)


pygrade_graders.protocol.Channel.send = lying_send
pygrade_graders.tamper.Watch.replaced = lambda self: []


def double(value: int) -> int:
    return value + 1
"""


def test_pygrade_s_own_modules_imported_by_learner_code_are_copies_the_session_does_not_use(
    pytester: pytest.Pytester,
) -> None:
    """Learner code that imports the plugin's modules by name and replaces the results
    channel's send (every result a pass) and the tamper watch's look gets modules of its own:
    the results stay true, and so does the watch."""
    replaced, _, statuses = run(pytester, LYING_REPORTER + "\nimport builtins\nbuiltins.round = lambda *a: 0\n", TESTS)
    assert statuses == {"test_doubles[1-2]": "pass", "test_doubles[5-10]": "fail", "test_doubles_zero": "fail"}
    assert replaced == ["builtins.round"]


def test_the_tests_own_patches_undone_by_teardown_are_not_tampering(pytester: pytest.Pytester) -> None:
    tests = TESTS + """

def test_patches_for_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins, sys, unittest
    monkeypatch.setattr(builtins, "len", lambda items: 0)
    monkeypatch.setattr(unittest.TestCase, "assertEqual", lambda *args: None)
    monkeypatch.setattr(sys.modules[__name__], "assert_same", lambda *args: None)
"""
    replaced, inspected, statuses = run(pytester, "def double(value: int) -> int:\n    return 2 * value\n", tests)
    assert (replaced, inspected) == ([], [])
    assert statuses["test_patches_for_itself"] == "pass"


def test_a_test_file_s_bindings_are_read_from_its_top_level() -> None:
    found = bindings(
        """
import os.path
import pytest as pt
from pygrade_graders.compare import assert_same as same
from . import sibling
from solution import *

try:
    import tomllib
except ImportError:
    tomllib = None

LIMIT = 3
len = 4

def helper() -> None:
    inner = 1
"""
    )
    assert found.imported == {"os": ("os", None), "pt": ("pytest", None), "same": ("pygrade_graders.compare", "assert_same")}
    assert found.assigned == {"sibling", "tomllib", "LIMIT", "len", "helper"}


def test_a_function_s_annotations_read_for_the_first_time_are_not_a_change() -> None:
    """A function's annotations become a dict when first read, as pytest reads a fixture's
    through `inspect.signature`: the quick look must not take that for a change (every check
    after it would look at each name one at a time)."""
    namespace: dict[str, object] = {}
    exec("def fixture(request: 'FixtureRequest') -> 'Any':\n    return request\n", namespace)
    spaces = Namespaces()
    spaces.add(namespace, ["fixture"])
    spaces.seal()
    function = namespace["fixture"]
    assert callable(function)
    inspect.signature(function)
    assert spaces.unchanged()
    namespace["fixture"] = lambda request: request
    assert not spaces.unchanged()


def a_watched_module(name: str = "watched_here") -> types.ModuleType:
    """A module of its own, as a plugin module pygrade watches: a class and a function."""
    module = types.ModuleType(name)
    exec("class Reporter:\n    def send(self) -> None:\n        pass\n\ndef check() -> int:\n    return 1\n", module.__dict__)
    return module


def test_a_watch_takes_the_parts_made_before_that_nothing_has_changed_since() -> None:
    """A warm worker makes what a `Watch` looks at in namespaces before it forks. A fork's
    `Watch` takes each part of it that is as it was made (here, all but the module whose class
    gained an entry since), makes that one again, and sees tampering in both kinds of part."""
    kept, changed = a_watched_module("kept"), a_watched_module("changed")
    made = WatchedNamespaces([kept, changed])
    reporter = changed.__dict__["Reporter"]
    reporter.flag = True  # as pytest's own start adds to a class it watches
    watch = Watch(also=[kept, changed], made=made)
    assert watch.parts_made_before == len(made.parts) - 1
    assert watch.replaced() == []
    kept.__dict__["check"] = lambda: 0
    assert watch.replaced() == ["kept.check"]
    watch = Watch(also=[kept, changed], made=made)
    assert watch.parts_made_before == len(made.parts) - 2
    reporter.send = lambda self: None
    assert watch.replaced() == ["changed.Reporter.send"]


def test_a_watch_takes_all_that_was_made_before_where_nothing_has_changed_since() -> None:
    module = a_watched_module()
    made = WatchedNamespaces([module])
    watch = Watch(also=[module], made=made)
    assert watch.parts_made_before == len(made.parts)
    assert watch.replaced() == []
    module.__dict__["check"] = lambda: 0
    assert watch.replaced() == ["watched_here.check"]
    assert Watch(also=[module], made=made).parts_made_before == len(made.parts) - 1


def test_a_part_whose_functions_changed_inside_is_made_again() -> None:
    module = a_watched_module()
    made = WatchedNamespaces([module])
    function = module.__dict__["check"]
    assert isinstance(function, types.FunctionType)
    function.__code__ = (lambda: 2).__code__
    assert Watch(also=[module], made=made).parts_made_before == len(made.parts) - 1
    assert Watch(also=[a_watched_module()], made=made).parts_made_before == len(made.parts) - 1
    assert Watch(also=[module]).parts_made_before == 0


def a_test_module(tests: int) -> types.ModuleType:
    """A test module of its own, collected: many tests, a helper whose closure holds a value,
    and a class."""
    module = types.ModuleType("test_many")
    source = "def make():\n    limit = 3\n    def helper() -> int:\n        return limit\n    return helper\n\nhelper = make()\n"
    source += "class Case:\n    def test_it(self) -> None:\n        pass\n"
    source += "".join(f"def test_{index}() -> None:\n    assert helper() == 3\n" for index in range(tests))
    exec(source, module.__dict__)
    return module


def test_a_test_module_s_quick_look_sees_what_the_look_one_name_at_a_time_names() -> None:
    """A test module is looked at whole first, and one name at a time only when something
    changed: every kind of change is still named, each from a module found sound just before,
    and what the look lets pass (a name added that shadows no builtin) hides no later change."""
    module = a_test_module(tests=50)
    namespace = module.__dict__
    watched = tamper.TestModules("/nowhere", dict(sys.modules), lambda text: text)
    assert watched.add(module) == []
    assert watched.replaced() == []
    helper = namespace["helper"]
    assert helper.__closure__ is not None
    cell = helper.__closure__[0]
    cell.cell_contents = 4
    assert watched.replaced() == ["test_many: helper"]
    cell.cell_contents = 3
    assert watched.replaced() == []
    namespace["len"] = lambda items: 0
    assert watched.replaced() == ["test_many: len shadows the builtin"]
    del namespace["len"]
    assert watched.replaced() == []
    namespace["added_by_a_test"] = 1
    assert watched.replaced() == []
    del namespace["added_by_a_test"]
    namespace["len"] = lambda items: 0
    assert watched.replaced() == ["test_many: len shadows the builtin"], "a name swapped for a shadow"
    del namespace["len"]
    assert watched.replaced() == []
    real = namespace["test_7"]
    namespace["test_7"] = a_test_module(tests=50).__dict__["test_7"]
    assert watched.replaced() == ["test_many: test_7"], "another function of the same name"
    namespace["test_7"] = real
    assert watched.replaced() == []
    case = namespace["Case"]
    case.test_it = lambda self: None
    assert watched.replaced() == ["test_many: Case.test_it"]


def test_a_module_replaced_in_the_modules_table_is_named_and_one_put_back_is_not() -> None:
    watch = Watch()
    real = sys.modules["json"]
    sys.modules["json"] = types.ModuleType("json")
    try:
        assert watch.replaced() == ["sys.modules['json']"]
    finally:
        sys.modules["json"] = real
    assert watch.replaced() == []
