"""Evidence of tampering: did learner code replace what the grading relies on?

Tests run in the same interpreter as the learner's code, so that code can, in principle,
replace a builtin, pytest's reporting, or this package's own reporting, to turn failures into
passes. A `Watch` records the objects that matter before any learner code is imported; at the
end of the run, `replaced()` names every one that is no longer the same object. pygrade then
rejects the submission. This cannot stop every trick (see SECURITY.md); it makes the common
ones show.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable

import _pytest.reports
import _pytest.runner
import pytest

from pygrade_graders import compare

# Builtins that assertions, comparisons and the reporting itself go through.
BUILTINS = (
    "isinstance", "issubclass", "type", "len", "repr", "str", "int", "float", "bool", "dict",
    "list", "tuple", "set", "sorted", "sum", "min", "max", "abs", "all", "any", "getattr",
    "setattr", "hasattr", "print", "open", "AssertionError", "Exception", "BaseException",
)


def attribute(owner: object, name: str) -> Callable[[], object]:
    """Looks `owner.name` up each time it is called."""
    return lambda: getattr(owner, name)


def class_attribute(owner: type, name: str) -> Callable[[], object]:
    """Looks `name` up in the class's own namespace each time (descriptors unresolved)."""
    return lambda: owner.__dict__.get(name)


def _targets(extra: dict[str, Callable[[], object]]) -> dict[str, Callable[[], object]]:
    found = {f"builtins.{name}": attribute(builtins, name) for name in BUILTINS}
    found.update(
        {
            "_pytest.runner.call_and_report": attribute(_pytest.runner, "call_and_report"),
            "_pytest.runner.runtestprotocol": attribute(_pytest.runner, "runtestprotocol"),
            "pytest.TestReport.from_item_and_call": class_attribute(pytest.TestReport, "from_item_and_call"),
            "_pytest.reports.BaseReport.passed": class_attribute(_pytest.reports.BaseReport, "passed"),
            "_pytest.reports.BaseReport.failed": class_attribute(_pytest.reports.BaseReport, "failed"),
            "pytest.Function.runtest": class_attribute(pytest.Function, "runtest"),
            "pytest.raises": attribute(pytest, "raises"),
        }
    )
    # The comparison helpers the bank's tests use: the module's functions and classes, and
    # the methods of its classes.
    for name, value in vars(compare).items():
        if not callable(value) or getattr(value, "__module__", None) != compare.__name__:
            continue
        found[f"pygrade_graders.compare.{name}"] = attribute(compare, name)
        if isinstance(value, type):
            for method, member in vars(value).items():
                if callable(member) or isinstance(member, (staticmethod, classmethod)):
                    found[f"pygrade_graders.compare.{name}.{method}"] = class_attribute(value, method)
    found.update(extra)
    return found


def fingerprint(value: object) -> tuple[object, object]:
    """The object, and its code when it is a Python function: code can be swapped in place."""
    return value, getattr(value, "__code__", None)


class Watch:
    """Remembers what each watched name refers to now, to compare at the end."""

    def __init__(self, extra: dict[str, Callable[[], object]] | None = None) -> None:
        self._targets = _targets(extra or {})
        self._before = {name: fingerprint(look()) for name, look in self._targets.items()}

    def replaced(self) -> list[str]:
        changed = []
        for name, look in self._targets.items():
            try:
                now = look()
            except Exception:  # noqa: BLE001 - deleted counts as replaced
                changed.append(name)
                continue
            before = self._before[name]
            after = fingerprint(now)
            if after[0] is not before[0] or after[1] is not before[1]:
                changed.append(name)
        return changed
