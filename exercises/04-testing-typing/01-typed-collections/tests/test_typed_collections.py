"""Tests for typed_collections.

Most checks are about behaviour. The ``assert_type`` calls do nothing at run
time; they are checked by ``mypy --strict`` and document the types each helper
must produce. ``test_signatures_are_generic`` inspects your annotations at run
time, so an ``Any`` everywhere will not pass.
"""

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import (
    ParamSpec,
    Protocol,
    TypeVar,
    assert_type,
    get_args,
    get_type_hints,
    is_typeddict,
)

import pytest
from pygrade_graders.compare import assert_same

from typed_collections import (
    SupportsLessThan,
    User,
    first,
    group_by,
    logged,
    max_by,
    parse_user,
)


def valid_user_data() -> dict[str, object]:
    return {"id": 7, "name": "Ada", "active": True, "tags": ["admin", "ops"]}


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([3, 1, 2], 3),
        ([0, 1], 0),  # a falsy first item is still the first item
        ("abc", "a"),
        ([], "default"),
    ],
)
def test_first_returns_first_item_or_default(items: Iterable[object], expected: object) -> None:
    assert_same(first(items, "default"), expected)


def test_first_consumes_only_one_item() -> None:
    numbers: Iterator[int] = itertools.count(10)
    result = first(numbers, None)
    assert_type(result, int | None)
    assert_same(result, 10)
    assert next(numbers) == 11, "first() must not read past the first item"


def test_group_by_keeps_input_order_within_groups() -> None:
    words = ["apple", "bob", "cherry", "ant", "banana", "cat"]
    groups = group_by(words, lambda word: word[0])
    assert_type(groups, dict[str, list[str]])
    assert_same(
        groups,
        {"a": ["apple", "ant"], "b": ["bob", "banana"], "c": ["cherry", "cat"]},
    )
    assert_same(list(groups), ["a", "b", "c"], "groups appear in order of first occurrence")
    assert_same(group_by([], len), {})


def test_max_by_returns_first_of_equal_maxima() -> None:
    words = ["fig", "banana", "cherry", "kiwi"]
    longest = max_by(words, len)
    assert_type(longest, str)
    assert_same(longest, "banana")


@dataclass(frozen=True)
class Priority:
    """Only defines ``<``, which is all SupportsLessThan asks for."""

    level: int

    def __lt__(self, other: "Priority") -> bool:
        return self.level < other.level


def test_max_by_accepts_any_key_that_supports_less_than() -> None:
    tasks = [("write docs", 2), ("fix bug", 5), ("lunch", 3)]
    urgent = max_by(tasks, lambda task: Priority(task[1]))
    assert_same(urgent, ("fix bug", 5))
    assert_same(max_by(tasks, lambda task: task[0]), ("write docs", 2))


def test_max_by_rejects_empty_input() -> None:
    with pytest.raises(ValueError):
        max_by([], len)


def test_parse_user_returns_only_declared_fields() -> None:
    data = valid_user_data() | {"password": "hunter2"}
    user = parse_user(data)
    assert_type(user, User)
    assert_same(user, {"id": 7, "name": "Ada", "active": True, "tags": ["admin", "ops"]})


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("field", "bad_value"),
    [
        ("id", "7"),
        ("id", True),  # bool is a subclass of int, but not a valid id
        ("name", None),
        ("active", "yes"),
        ("tags", "admin,ops"),
        ("tags", ["admin", 3]),
    ],
)
def test_parse_user_rejects_wrong_types(field: str, bad_value: object) -> None:
    data = valid_user_data() | {field: bad_value}
    with pytest.raises(TypeError, match=field):
        parse_user(data)


def test_parse_user_reports_missing_fields() -> None:
    data = valid_user_data()
    del data["name"]
    with pytest.raises(KeyError, match="name"):
        parse_user(data)


def test_logged_records_calls_and_keeps_metadata() -> None:
    calls: list[str] = []

    @logged(calls)
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    total = add(1, 2)
    assert_type(total, int)
    assert_same(total, 3)
    assert_same(add(b=4, a=5), 9)
    assert_same(calls, ["add", "add"])
    use_wraps = "use functools.wraps so the wrapper looks like the wrapped function"
    assert_same(add.__name__, "add", use_wraps)
    assert_same(add.__doc__, "Add two numbers.", use_wraps)
    with pytest.raises(TypeError):
        # mypy must reject this call: logged() keeps add's exact signature.
        add("one", 2)  # type: ignore[arg-type]


def _is_type_variable(tp: object) -> bool:
    return isinstance(tp, TypeVar)


@pytest.mark.weight(2)
def test_signatures_are_generic() -> None:
    hints = get_type_hints(first)
    (item_type,) = get_args(hints["items"])
    assert _is_type_variable(item_type), "first(items: Iterable[T], ...) needs a TypeVar"
    assert _is_type_variable(hints["default"]), "the default gets its own TypeVar"
    assert_same(
        set(get_args(hints["return"])), {item_type, hints["default"]}, "first() returns T | D"
    )

    hints = get_type_hints(group_by)
    (item_type,) = get_args(hints["items"])
    (key_params, key_type) = get_args(hints["key"])
    assert_same(key_params, [item_type])
    assert _is_type_variable(key_type)
    (result_key, result_value) = get_args(hints["return"])
    assert_same(result_key, key_type, "group_by() returns dict[K, list[T]]")
    assert_same(get_args(result_value), (item_type,), "group_by() returns dict[K, list[T]]")

    (_, comparable) = get_args(get_type_hints(max_by)["key"])
    assert comparable is SupportsLessThan or (
        _is_type_variable(comparable) and comparable.__bound__ is SupportsLessThan
    ), "max_by()'s key returns a SupportsLessThan"

    ((decorated,), wrapper) = get_args(get_type_hints(logged)["return"])
    (params, result) = get_args(wrapper)
    assert isinstance(params, ParamSpec) and _is_type_variable(result)
    assert_same(get_args(decorated), (params, result), "logged() keeps the signature: P and R")


def test_user_is_a_typeddict_and_comparable_is_a_protocol() -> None:
    assert is_typeddict(User), "User should be a typing.TypedDict"
    assert_same(get_type_hints(User), {"id": int, "name": str, "active": bool, "tags": list[str]})
    assert Protocol in SupportsLessThan.__bases__, "SupportsLessThan should be a Protocol"
