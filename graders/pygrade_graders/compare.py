"""Comparisons that check exact types before values, for tests of learner code.

`assert result == expected` asks `result` itself whether it is equal, so an object whose
`__eq__` always answers True, or an `int` or `dict` subclass that lies, passes it. The helpers
here never let a value made by learner code compare itself. At every level they first require
`type(actual) is type(expected)` (so `True` is not `1`, and a `dict` subclass is not a `dict`),
then compare:

- builtin scalars (`int`, `float`, `complex`, `str`, `bytes`, `bool`, `None`) with the
  builtins' own `==`;
- lists and tuples item by item, dicts key by key, sets element by element, read with the
  builtins' own methods, so a subclass overriding `__iter__` or `__len__` is never asked;
- dataclass instances field by field (every field, even one declared `compare=False`): the
  class's `__eq__` is never called;
- enum members by identity.

The residual case: an instance of any other class is compared with `expected == actual` once
its type is known to be the expected one, so that class's own `__eq__` decides.

    assert_same(count_words("a b a"), {"a": 2, "b": 1})
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable, Iterable
from typing import Any

# Builtin types whose values are compared with their own `==`, which runs no learner code.
SCALARS = (int, float, complex, str, bytes, bool, type(None))

# How each container's contents are read: with the builtin's own method, never the value's.
READERS: dict[type, Callable[[Any], Iterable[Any]]] = {
    tuple: tuple.__iter__,
    list: list.__iter__,
    dict: dict.items,
    set: set.__iter__,
    frozenset: frozenset.__iter__,
}

# Containers nested deeper than this are not compared further (and the stack stays safe).
MAX_DEPTH = 200

# Characters of a value shown inside a difference, and in the full values under it.
SHOWN = 200
SHOWN_IN_FULL = 1000


def difference(
    actual: object,
    expected: object,
    *,
    approx: float | None = None,
    classes_by_name: bool = False,
) -> str | None:
    """Where `actual` differs from `expected`, types first, or None when they are the same.

    `approx`: floats may differ by this much, relatively or absolutely. `classes_by_name`: two
    classes that are not builtins match when their qualified names are equal (the timing
    harness compares the learner's results with the reference's, whose classes are others)."""
    return _Comparison(approx, classes_by_name).diff(actual, expected, "", 0)


def assert_same(
    actual: object, expected: object, message: str | None = None, *, approx: float | None = None
) -> None:
    """Fail the test (AssertionError) unless `actual` has `expected`'s exact types and values,
    at every level."""
    __tracebackhide__ = True  # pytest points at the test's line, not at this one
    found = difference(actual, expected, approx=approx)
    if found is None:
        return
    text = f"{message}: {found}" if message else found
    if not (_is_scalar(type(actual)) and _is_scalar(type(expected))):
        text += f"\n  expected: {_show(expected, SHOWN_IN_FULL)}\n  actual:   {_show(actual, SHOWN_IN_FULL)}"
    raise AssertionError(text)


def _show(value: object, limit: int = SHOWN) -> str:
    """`repr(value)`, clipped to about `limit` characters; if that repr fails, Python's default
    one (`<money.Money object at 0x...>`), which runs no code of the value's class."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken repr must not hide the difference
        text = object.__repr__(value)
    if type(text) is not str:  # a str subclass could run learner code when sliced or formatted
        text = object.__repr__(value)
    if len(text) > limit:
        text = f"{text[:limit]}... ({len(text)} characters)"
    return text


class _Comparison:
    """One comparison's settings, and the containers it is inside of (to stop at cycles)."""

    def __init__(self, approx: float | None, classes_by_name: bool) -> None:
        self.approx = approx
        self.classes_by_name = classes_by_name
        # (id(actual), id(expected)) of the containers being compared right now: meeting a
        # pair again means a cycle, whose comparison is already under way further up.
        self.open: set[tuple[int, int]] = set()

    def diff(self, actual: object, expected: object, path: str, depth: int) -> str | None:
        at = _at(path)
        kind, want = type(actual), type(expected)
        if not self.same_class(kind, want):
            return f"{at}expected {_what(expected, kind)}, got {_what(actual, want)}"
        if _is_scalar(want):
            if self.same_scalar(actual, expected):
                return None
            within = f" (within {self.approx})" if self.approx is not None and want is float else ""
            return f"{at}expected {_what(expected)}{within}, got {_what(actual)}"
        if issubclass(want, enum.Enum):
            if self.same_member(actual, expected):
                return None
            return f"{at}expected {_show(expected)}, got {_show(actual)}"
        if depth >= MAX_DEPTH:
            return f"{at}nested more than {MAX_DEPTH} levels deep: stopped comparing"
        pair = (id(actual), id(expected))
        if pair in self.open:
            return None
        self.open.add(pair)
        try:
            return self.diff_inside(actual, expected, path, depth + 1)
        finally:
            self.open.discard(pair)

    def same_class(self, kind: type, want: type) -> bool:
        if kind is want:
            return True
        if not self.classes_by_name or want.__module__ == "builtins":
            return False
        return _name(kind) == _name(want)

    def same_scalar(self, actual: object, expected: object) -> bool:
        # Both are of the same exact builtin type here, so `==` is the builtin's own.
        if isinstance(expected, float) and isinstance(actual, float):
            if math.isnan(expected) and math.isnan(actual):
                return True
            if self.approx is not None:
                return math.isclose(actual, expected, rel_tol=self.approx, abs_tol=self.approx)
        return bool(expected == actual)

    def same_member(self, actual: object, expected: object) -> bool:
        if actual is expected:
            return True
        # The learner's enum and the reference's are different classes: compare member names.
        name = _read(actual, "_name_")
        return type(actual) is not type(expected) and type(name) is str and name == _read(expected, "_name_")

    def diff_inside(self, actual: object, expected: object, path: str, depth: int) -> str | None:
        want = type(expected)
        if dataclasses.is_dataclass(want):
            return self.diff_fields(actual, expected, path, depth)
        for base, read in READERS.items():
            if issubclass(want, base):
                if not issubclass(type(actual), base):  # only when classes match by name
                    return f"{_at(path)}expected {_name(want)}, a {base.__name__}, got a {_name(type(actual))} that is not"
                have, wanted = list(read(actual)), list(read(expected))
                if base is dict:
                    return self.diff_dict(have, wanted, path, depth)
                if base is set or base is frozenset:
                    return self.diff_set(have, wanted, path, depth)
                return self.diff_sequence(have, wanted, want, path, depth)
        # The residual case: a class of its own, whose `__eq__` decides (the types match).
        try:
            if bool(expected == actual):
                return None
        except Exception as error:  # noqa: BLE001 - a failing `__eq__` is a difference
            return f"{_at(path)}comparing with {_show(expected)} raised {_name(type(error))}"
        return f"{_at(path)}expected {_show(expected)}, got {_show(actual)}"

    def diff_fields(self, actual: object, expected: object, path: str, depth: int) -> str | None:
        names = _fields(type(expected)) or []
        if type(actual) is not type(expected):  # classes matched by name: same fields?
            theirs = _fields(type(actual))
            if theirs != names:
                return f"{_at(path)}expected {_name(type(expected))} with fields {names}, got one with fields {theirs}"
        for name in names:
            try:
                # Not `actual.name`, which could run the class's own `__getattr__`.
                got = object.__getattribute__(actual, name)
            except Exception as error:  # noqa: BLE001 - an unreadable field is a difference
                return f"{_at(f'{path}.{name}')}could not be read: {_name(type(error))}"
            found = self.diff(got, object.__getattribute__(expected, name), f"{path}.{name}", depth)
            if found is not None:
                return found
        return None

    def diff_sequence(self, have: list[object], want: list[object], kind: type, path: str, depth: int) -> str | None:
        if len(have) != len(want):
            what = _name(kind)
            return f"{_at(path)}expected {what} of {_count(len(want), 'item')}, got {what} of {_count(len(have), 'item')}"
        # A named tuple's items are shown by name: `.total` reads better than `[1]`.
        names = _tuple_fields(kind, len(want))
        for index, (got, wanted) in enumerate(zip(have, want)):
            step = f".{names[index]}" if names else f"[{index}]"
            found = self.diff(got, wanted, path + step, depth)
            if found is not None:
                return found
        return None

    def diff_dict(self, have: list[tuple[object, object]], want: list[tuple[object, object]], path: str, depth: int) -> str | None:
        pairs, missing, unexpected = self.match([key for key, _ in have], [key for key, _ in want], depth)
        if missing or unexpected:
            return _at(path) + _leftovers("key", missing, unexpected)
        for index, (key, wanted) in enumerate(want):
            found = self.diff(have[pairs[index]][1], wanted, f"{path}[{_show(key)}]", depth)
            if found is not None:
                return found
        return None

    def diff_set(self, have: list[object], want: list[object], path: str, depth: int) -> str | None:
        _, missing, unexpected = self.match(have, want, depth)
        if missing or unexpected:
            return _at(path) + _leftovers("element", missing, unexpected)
        return None

    def match(self, have: list[object], want: list[object], depth: int) -> tuple[dict[int, int], list[object], list[object]]:
        """Pairs each item of `want` with the item of `have` that is the same (dict keys, set
        elements): {index in `want`: index in `have`}, then what is left over on each side."""
        keys = [_exact_key(item) for item in have]
        wanted_keys = [_exact_key(item) for item in want]
        pairs: dict[int, int] = {}
        if None not in keys and None not in wanted_keys:
            # Only builtins: hashing and comparing their keys runs no learner code.
            where = {key: index for index, key in enumerate(keys)}
            pairs = {index: where[key] for index, key in enumerate(wanted_keys) if key in where}
        else:
            free = list(range(len(have)))
            for index, item in enumerate(want):
                for candidate in free:
                    if self.diff(have[candidate], item, "", depth) is None:
                        pairs[index] = candidate
                        free.remove(candidate)
                        break
        used = set(pairs.values())
        missing = [item for index, item in enumerate(want) if index not in pairs]
        unexpected = [item for index, item in enumerate(have) if index not in used]
        return pairs, missing, unexpected


def _is_scalar(kind: type) -> bool:
    # By identity: `kind in SCALARS` would compare classes with `==`, which a metaclass defines.
    return any(kind is scalar for scalar in SCALARS)


def _exact_key(value: object, depth: int = 0) -> object | None:
    """`value` tagged with its exact type at every level, when it is made only of builtin
    scalars, tuples and frozensets; None otherwise. Two keys are equal exactly when the values
    are the same, types included: 1, 1.0 and True give three different keys."""
    if _is_scalar(type(value)):
        return (type(value), value)
    if depth < MAX_DEPTH and (type(value) is tuple or type(value) is frozenset):
        parts = [_exact_key(item, depth + 1) for item in value]
        if None in parts:
            return None
        return (type(value), tuple(parts) if type(value) is tuple else frozenset(parts))
    return None


def _fields(kind: type) -> list[str] | None:
    """The field names of a dataclass, or None if `kind` is not one."""
    try:
        if not dataclasses.is_dataclass(kind):
            return None
        return [str.__str__(field.name) for field in dataclasses.fields(kind)]
    except Exception:  # noqa: BLE001 - a class too odd to read is no dataclass here
        return None


def _tuple_fields(kind: type, size: int) -> tuple[str, ...] | None:
    """The field names of a named tuple class, or None for a plain tuple or a list."""
    try:
        names = getattr(kind, "_fields", None)
    except Exception:  # noqa: BLE001
        return None
    if type(names) is tuple and len(names) == size and all(type(name) is str for name in names):
        return names
    return None


def _read(value: object, attribute: str) -> object:
    try:
        return object.__getattribute__(value, attribute)
    except Exception:  # noqa: BLE001
        return None


def _name(kind: type) -> str:
    """The class's qualified name as Python stores it: a metaclass cannot change what this reads."""
    name = type.__dict__["__qualname__"].__get__(kind)
    # An exact str copy: a str subclass could run learner code when formatted or compared.
    return str.__str__(name) if isinstance(name, str) else "?"


def _what(value: object, other: type | None = None) -> str:
    """`int 2` or `None`; for other values their class's name (with its module when `other`
    is a different class of the same name)."""
    kind = type(value)
    if value is None:
        return "None"
    if _is_scalar(kind):
        return f"{_name(kind)} {_show(value)}"
    if other is not None and other is not kind and _name(other) == _name(kind):
        module = type.__dict__["__module__"].__get__(kind)
        return f"{str.__str__(module) if isinstance(module, str) else '?'}.{_name(kind)}"
    return _name(kind)


def _at(path: str) -> str:
    if not path:
        return ""
    return f"at {path if len(path) <= SHOWN else '...' + path[-SHOWN:]}: "


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _leftovers(noun: str, missing: list[object], unexpected: list[object]) -> str:
    """`missing key 'a', unexpected keys 'b', 'c'`, naming at most three of each."""

    def some(items: list[object]) -> str:
        shown = ", ".join(_show(item) for item in items[:3])
        return shown + (f" and {len(items) - 3} more" if len(items) > 3 else "")

    parts = []
    if missing:
        parts.append(f"missing {noun}{'s' if len(missing) > 1 else ''} {some(missing)}")
    if unexpected:
        parts.append(f"unexpected {noun}{'s' if len(unexpected) > 1 else ''} {some(unexpected)}")
    return ", ".join(parts)
