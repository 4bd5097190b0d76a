"""compare: exact types before values, and no learner object asked whether it is equal."""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from pygrade_graders.compare import MAX_DEPTH, assert_same, difference


class AlwaysEqual:
    """What a learner may return to pass `assert result == expected` without computing it."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0


class LyingInt(int):
    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0


class LyingDict(dict[str, int]):
    def __eq__(self, other: object) -> bool:
        return True


class HidingList(list[int]):
    """A list that shows the expected items to anyone who iterates or measures it."""

    def __iter__(self) -> Any:
        return iter([1, 2, 3])

    def __len__(self) -> int:
        return 3


class Point(NamedTuple):
    x: int
    y: int


@dataclass(frozen=True, eq=False)
class Money:
    cents: int
    currency: str
    note: str = field(default="", compare=False)

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0


@dataclass(frozen=True)
class Coin:
    cents: int


@dataclass
class Masked:
    """A dataclass whose attribute access lies: the fields must be read past it."""

    value: int

    def __getattribute__(self, name: str) -> Any:
        return 42 if name == "value" else object.__getattribute__(self, name)


class Colour(enum.Enum):
    RED = 1
    GREEN = 2


class Version:
    """A class of its own: its `__eq__` decides, once the type is right."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


def failure(actual: object, expected: object, message: str | None = None, approx: float | None = None) -> str:
    with pytest.raises(AssertionError) as caught:
        assert_same(actual, expected, message, approx=approx)
    return str(caught.value)


# --- the same ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: {"a": [1, (2, 3.5), {"b": None}], "c": {1, 2}, "d": frozenset({"x"}), "e": b"\x00"},
        lambda: [Point(1, 2), Money(5, "EUR"), Coin(3), Colour.RED, Version("1.0"), True, 2j],
        lambda: {(1, "a"): [], frozenset({1, 2}): {}, Colour.GREEN: {Coin(1), Coin(2)}},
        lambda: [],
        lambda: None,
    ],
    ids=["builtins", "classes", "keys", "empty", "none"],
)
def test_equal_values_are_the_same(make: Callable[[], object]) -> None:
    # Two separate but equal structures.
    assert difference(make(), make()) is None
    assert_same(make(), make())


# --- values and types, at any depth --------------------------------------------------


def test_a_wrong_value_is_shown_with_its_path() -> None:
    assert difference({"fish": 3, "one": 1}, {"fish": 2, "one": 1}) == "at ['fish']: expected int 2, got int 3"
    assert difference([{"a": [1, 2]}], [{"a": [1, 5]}]) == "at [0]['a'][1]: expected int 5, got int 2"


def test_a_wrong_type_at_depth_is_shown_with_its_path() -> None:
    assert difference({"pairs": [(1, 2), [3, 4]]}, {"pairs": [(1, 2), (3, 4)]}) == "at ['pairs'][1]: expected tuple, got list"


@pytest.mark.parametrize(
    ("actual", "expected", "found"),
    [
        (True, 1, "expected int 1, got bool True"),
        (1, True, "expected bool True, got int 1"),
        (2, 2.0, "expected float 2.0, got int 2"),
        ("2", 2, "expected int 2, got str '2'"),
        (None, 0, "expected int 0, got None"),
        ([1, 2], (1, 2), "expected tuple, got list"),
        ((1, 2), Point(1, 2), "expected Point, got tuple"),
        (Point(1, 2), (1, 2), "expected tuple, got Point"),
        ({1, 2}, frozenset({1, 2}), "expected frozenset, got set"),
    ],
)
def test_types_must_be_exactly_the_same(actual: object, expected: object, found: str) -> None:
    assert difference(actual, expected) == found


# --- objects that lie about being equal ------------------------------------------------


def test_an_always_equal_object_is_not_a_dict() -> None:
    assert difference(AlwaysEqual(), {"a": 1}) == "expected dict, got AlwaysEqual"
    assert "expected dict, got AlwaysEqual" in failure(AlwaysEqual(), {"a": 1})


def test_an_int_subclass_that_equals_everything_is_not_an_int() -> None:
    assert difference(LyingInt(7), 2) == "expected int 2, got LyingInt"
    assert difference({"n": LyingInt(2)}, {"n": 2}) == "at ['n']: expected int 2, got LyingInt"


def test_a_dict_subclass_is_not_a_dict() -> None:
    assert difference(LyingDict(), {"a": 1}) == "expected dict, got LyingDict"


def test_keys_and_set_elements_must_have_exact_types_too() -> None:
    assert difference({LyingInt(1): "a"}, {1: "a"}) is not None
    assert difference({AlwaysEqual()}, {1}) is not None
    assert difference({True: "a"}, {1: "a"}) == "missing key 1, unexpected key True"
    assert difference({1.0}, {1}) == "missing element 1, unexpected element 1.0"


def test_a_dataclass_is_compared_field_by_field_not_with_its_eq() -> None:
    assert difference(Money(100, "EUR"), Money(200, "EUR")) == "at .cents: expected int 200, got int 100"
    assert difference(Money(100, "USD"), Money(100, "EUR")) == "at .currency: expected str 'EUR', got str 'USD'"


def test_every_dataclass_field_counts_even_one_left_out_of_eq() -> None:
    assert difference(Money(1, "EUR", "a"), Money(1, "EUR", "b")) == "at .note: expected str 'b', got str 'a'"


def test_dataclass_fields_are_read_past_an_overridden_getattribute() -> None:
    assert difference(Masked(1), Masked(42)) == "at .value: expected int 42, got int 1"


def test_a_list_subclass_is_read_as_a_list_whatever_its_iter_says() -> None:
    hiding = HidingList([9])
    assert difference(hiding, HidingList([1, 2, 3])) == "expected HidingList of 3 items, got HidingList of 1 item"


def test_named_tuple_items_are_shown_by_field_name() -> None:
    assert difference(Point(1, 5), Point(1, 2)) == "at .y: expected int 2, got int 5"


def test_the_residual_case_uses_the_expected_class_eq_once_types_match() -> None:
    assert difference(Version("1.0"), Version("1.0")) is None
    assert difference(Version("1.0"), Version("2.0")) is not None
    assert difference(AlwaysEqual(), Version("1.0")) == "expected Version, got AlwaysEqual"


# --- enums, floats, sets, sizes -------------------------------------------------------


def test_enum_members_are_compared_by_identity() -> None:
    assert difference(Colour.RED, Colour.RED) is None
    assert difference(Colour.GREEN, Colour.RED) == "expected <Colour.RED: 1>, got <Colour.GREEN: 2>"
    assert difference(1, Colour.RED) == "expected Colour, got int 1"


def test_floats_are_exact_unless_approx_is_given() -> None:
    assert difference(0.1 + 0.2, 0.3) == "expected float 0.3, got float 0.30000000000000004"
    assert difference(0.1 + 0.2, 0.3, approx=1e-9) is None
    assert difference(0.31, 0.3, approx=1e-9) == "expected float 0.3 (within 1e-09), got float 0.31"
    assert difference(3, 3.0, approx=0.5) == "expected float 3.0, got int 3"
    assert_same([0.1 + 0.2], [0.3], approx=1e-9)


def test_nan_is_the_same_as_nan() -> None:
    assert difference(math.nan, float("nan")) is None
    assert difference([math.nan], [1.0]) == "at [0]: expected float 1.0, got float nan"


def test_sets_report_what_is_missing_and_what_is_not_expected() -> None:
    assert difference({1, 2, 3}, {3, 2, 1}) is None
    assert difference({1, 2}, {1, 3}) == "missing element 3, unexpected element 2"
    assert difference({"a": {1}}, {"a": {1, 2}}) == "at ['a']: missing element 2"


def test_sets_of_dataclasses_are_matched_element_by_element() -> None:
    assert difference({Coin(1), Coin(2)}, {Coin(2), Coin(1)}) is None
    assert difference({Coin(1), Coin(3)}, {Coin(2), Coin(1)}) == "missing element Coin(cents=2), unexpected element Coin(cents=3)"
    # Money's `__eq__` says every Money is equal: its fields still decide.
    assert difference({Money(1, "EUR")}, {Money(2, "EUR")}) is not None


def test_sizes_and_keys_are_reported() -> None:
    assert difference([1, 2], [1, 2, 3]) == "expected list of 3 items, got list of 2 items"
    assert difference({"a": 1, "b": 2}, {"a": 1, "c": 2}) == "missing key 'c', unexpected key 'b'"
    assert difference({}, {"a": 1, "b": 2}) == "missing keys 'a', 'b'"


# --- cycles, depth, hostile reprs ---------------------------------------------------


def test_cycles_end() -> None:
    actual: list[object] = [1]
    actual.append(actual)
    expected: list[object] = [1]
    expected.append(expected)
    assert difference(actual, expected) is None
    other: list[object] = [2]
    other.append(other)
    assert difference(other, expected) == "at [0]: expected int 1, got int 2"


def test_a_structure_too_deep_is_reported_not_a_crash() -> None:
    actual: list[object] = []
    expected: list[object] = []
    for _ in range(MAX_DEPTH + 50):
        actual, expected = [actual], [expected]
    found = difference(actual, expected)
    assert found is not None and found.endswith(f"nested more than {MAX_DEPTH} levels deep: stopped comparing")


def test_a_repr_that_raises_does_not_hide_the_difference() -> None:
    text = failure(BadRepr(), 1)
    assert text.startswith("expected int 1, got BadRepr\n")
    assert re.search(r"actual:   <[\w.]*BadRepr object at 0x[0-9a-f]+>$", text)
    text = failure({"a": BadRepr()}, {"a": 1})
    assert text.startswith("at ['a']: expected int 1, got BadRepr\n")
    assert re.search(r"actual:   <dict object at 0x[0-9a-f]+>$", text)


def test_long_values_are_clipped() -> None:
    text = failure(["x" * 5000], ["y"])
    assert "characters)" in text and len(text) < 2000


# --- assert_same's message ------------------------------------------------------------


def test_assert_same_names_the_difference_then_shows_both_values() -> None:
    text = failure({"fish": 3}, {"fish": 2}, "quotes must not count")
    assert text.splitlines() == [
        "quotes must not count: at ['fish']: expected int 2, got int 3",
        "  expected: {'fish': 2}",
        "  actual:   {'fish': 3}",
    ]


def test_assert_same_on_two_scalars_says_it_in_one_line() -> None:
    assert failure(3, 2) == "expected int 2, got int 3"


# --- classes by name (the timing harness) -----------------------------------------------


def learner_and_reference() -> tuple[Any, Any]:
    """Two different dataclasses named `Summary`, as the learner's and the reference's are."""

    def make() -> Any:
        @dataclass(frozen=True)
        class Summary:
            n: int
            total: float

        Summary.__qualname__ = "Summary"  # as if defined at the top of a module
        return Summary

    return make(), make()


def test_classes_by_name_matches_different_dataclasses_of_the_same_name() -> None:
    learner, reference = learner_and_reference()
    assert learner is not reference
    assert difference(learner(1, 2.0), reference(1, 2.0), classes_by_name=True) is None
    assert difference(learner(1, 3.0), reference(1, 2.0), classes_by_name=True) == "at .total: expected float 2.0, got float 3.0"
    assert difference(learner(1, 2.0), reference(1, 2.0)) is not None


def test_classes_by_name_still_needs_the_same_fields_and_exact_builtins() -> None:
    _, reference = learner_and_reference()

    @dataclass(frozen=True)
    class Summary:
        n: int
        mean: float

    Summary.__qualname__ = "Summary"
    assert difference(Summary(1, 2.0), reference(1, 2.0), classes_by_name=True) == (
        "expected Summary with fields ['n', 'total'], got one with fields ['n', 'mean']"
    )
    assert difference(True, 1, classes_by_name=True) == "expected int 1, got bool True"
    assert difference(AlwaysEqual(), reference(1, 2.0), classes_by_name=True) == "expected Summary, got AlwaysEqual"
    assert difference([1], Point(1, 2), classes_by_name=True) == "expected Point, got list"
