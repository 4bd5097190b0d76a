"""Tests for windows.py."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from pygrade_graders.compare import assert_same

from windows import Window, WindowSet

UTC = dt.timezone.utc
CEST = dt.timezone(dt.timedelta(hours=2))


def at(hour: int, minute: int = 0) -> dt.datetime:
    """An instant on 1 May 2024, UTC."""
    return dt.datetime(2024, 5, 1, hour, minute, tzinfo=UTC)


def w(start: int, end: int) -> Window:
    """The window from one hour to another on 1 May 2024, UTC."""
    return Window(at(start), at(end))


def ws(*windows: tuple[int, int]) -> WindowSet:
    return WindowSet(w(start, end) for start, end in windows)


def hours(window_set: WindowSet) -> list[tuple[int, int]]:
    """The windows of a set as (start hour, end hour) pairs, in UTC."""
    return [
        (window.start.astimezone(UTC).hour, window.end.astimezone(UTC).hour) for window in window_set
    ]


class Foreign:
    """An operand of another library, which knows how to combine itself with anything."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0

    def __ror__(self, other: object) -> str:
        return "foreign |"

    def __rand__(self, other: object) -> str:
        return "foreign &"

    def __rsub__(self, other: object) -> str:
        return "foreign -"


# --- Window: __init__ -------------------------------------------------------------------


def test_a_window_keeps_its_start_and_end() -> None:
    window = Window(at(2), at(4, 30))

    assert_same(window.start, at(2))
    assert_same(window.end, at(4, 30))
    assert_same(window.duration, dt.timedelta(hours=2, minutes=30))


def test_start_and_end_are_read_only() -> None:
    window = w(2, 4)

    with pytest.raises(AttributeError):
        setattr(window, "start", at(1))
    with pytest.raises(AttributeError):
        setattr(window, "end", at(9))
    assert_same((window.start, window.end), (at(2), at(4)))


@pytest.mark.weight(2)
@pytest.mark.parametrize(("start", "end"), [(4, 2), (3, 3)])
def test_a_window_must_end_after_it_starts(start: int, end: int) -> None:
    with pytest.raises(ValueError):
        Window(at(start), at(end))


def test_a_window_of_one_microsecond_is_fine() -> None:
    window = Window(at(3), at(3) + dt.timedelta(microseconds=1))

    assert_same(window.duration, dt.timedelta(microseconds=1))


@pytest.mark.weight(2)
def test_naive_datetimes_are_refused() -> None:
    naive = dt.datetime(2024, 5, 1, 2)

    with pytest.raises(ValueError):
        Window(naive, at(4))
    with pytest.raises(ValueError):
        Window(at(1), naive.replace(hour=4))


class NoOffset(dt.tzinfo):
    """A time zone that does not know its offset: datetimes in it are naive."""

    def utcoffset(self, when: dt.datetime | None) -> None:
        return None

    def dst(self, when: dt.datetime | None) -> None:
        return None

    def tzname(self, when: dt.datetime | None) -> str:
        return "somewhere"


def test_a_datetime_whose_time_zone_has_no_offset_is_naive_too() -> None:
    unknown = dt.datetime(2024, 5, 1, 2, tzinfo=NoOffset())

    with pytest.raises(ValueError):
        Window(unknown, at(4))
    with pytest.raises(ValueError):
        Window(at(1), unknown)


@pytest.mark.parametrize(
    ("start", "end"),
    [("2024-05-01T02:00Z", at(4)), (at(2), dt.date(2024, 5, 2)), (at(2), 1714536000)],
)
def test_things_that_are_not_datetimes_are_refused(start: object, end: object) -> None:
    with pytest.raises(TypeError):
        Window(cast(Any, start), cast(Any, end))


# --- Window: __repr__, __str__, __eq__, __hash__ ---------------------------------------


@pytest.mark.weight(2)
def test_the_repr_of_a_window_is_code_that_makes_it() -> None:
    window = w(2, 4)

    assert_same(
        repr(window),
        "Window(datetime.datetime(2024, 5, 1, 2, 0, tzinfo=datetime.timezone.utc), "
        "datetime.datetime(2024, 5, 1, 4, 0, tzinfo=datetime.timezone.utc))",
    )
    assert eval(repr(window), {"datetime": dt, "Window": Window}) == window


def test_the_str_of_a_window_is_an_iso_interval() -> None:
    assert_same(str(w(2, 4)), "2024-05-01T02:00:00+00:00/2024-05-01T04:00:00+00:00")
    local = Window(dt.datetime(2024, 5, 1, 4, tzinfo=CEST), dt.datetime(2024, 5, 1, 6, 15, tzinfo=CEST))
    assert_same(str(local), "2024-05-01T04:00:00+02:00/2024-05-01T06:15:00+02:00")


@pytest.mark.weight(2)
def test_windows_of_the_same_instants_are_equal_and_hash_alike_in_any_time_zone() -> None:
    utc = w(2, 4)
    local = Window(dt.datetime(2024, 5, 1, 4, tzinfo=CEST), dt.datetime(2024, 5, 1, 6, tzinfo=CEST))

    assert utc == local
    assert hash(utc) == hash(local)
    assert_same(len({utc, local, w(2, 5)}), 2)


def test_windows_differ_by_start_or_end() -> None:
    assert w(2, 4) != w(2, 5)
    assert w(2, 4) != w(1, 4)
    assert not (w(2, 4) == w(3, 4))


def test_a_window_is_not_equal_to_something_else() -> None:
    window = w(2, 4)

    assert window != (at(2), at(4))
    assert window != "2024-05-01T02:00:00+00:00/2024-05-01T04:00:00+00:00"
    assert not (window == ws((2, 4)))


def test_a_window_returns_not_implemented_to_a_foreign_operand() -> None:
    assert w(2, 4) == Foreign(), "__eq__ should return NotImplemented so that Python asks the other side"


# --- Window: __contains__ and overlaps ---------------------------------------------------


@pytest.mark.weight(2)
def test_a_window_contains_its_start_but_not_its_end() -> None:
    window = w(2, 4)

    assert at(2) in window
    assert at(3, 59) in window
    assert at(4) not in window
    assert at(1, 59) not in window
    assert at(4) - dt.timedelta(microseconds=1) in window


def test_a_window_contains_an_instant_given_in_another_time_zone() -> None:
    assert dt.datetime(2024, 5, 1, 5, 30, tzinfo=CEST) in w(2, 4)
    assert dt.datetime(2024, 5, 1, 6, 0, tzinfo=CEST) not in w(2, 4)


@pytest.mark.weight(2)
def test_a_window_contains_the_windows_inside_it() -> None:
    window = w(2, 6)

    assert w(2, 6) in window
    assert w(3, 4) in window
    assert w(2, 3) in window
    assert w(5, 6) in window
    assert w(1, 3) not in window
    assert w(5, 7) not in window
    assert w(0, 8) not in window


def test_a_window_refuses_to_say_whether_it_contains_something_else() -> None:
    with pytest.raises(TypeError):
        _ = "02:30" in cast(Any, w(2, 4))


@pytest.mark.weight(2)
def test_windows_overlap_when_they_share_an_instant() -> None:
    assert w(2, 4).overlaps(w(3, 5))
    assert w(3, 5).overlaps(w(2, 4))
    assert w(2, 6).overlaps(w(3, 4))
    assert w(3, 4).overlaps(w(2, 6))
    assert not w(2, 4).overlaps(w(4, 6)), "half-open windows that touch share no instant"
    assert not w(4, 6).overlaps(w(2, 4))
    assert not w(2, 3).overlaps(w(5, 6))


# --- WindowSet: normalising --------------------------------------------------------------


@pytest.mark.weight(2)
def test_a_window_set_sorts_and_merges_overlapping_and_touching_windows() -> None:
    window_set = ws((8, 9), (1, 3), (2, 4), (4, 5), (10, 12), (11, 12))

    assert_same(hours(window_set), [(1, 5), (8, 9), (10, 12)])
    assert_same(len(window_set), 3)


def test_a_window_inside_another_disappears_into_it() -> None:
    assert_same(hours(ws((1, 9), (2, 3), (4, 5))), [(1, 9)])
    assert_same(hours(ws((2, 3), (1, 9))), [(1, 9)])


def test_windows_that_merely_come_close_stay_apart() -> None:
    window_set = WindowSet([Window(at(1), at(2)), Window(at(2, 1), at(3))])

    assert_same(len(window_set), 2)


def test_a_window_set_takes_any_iterable_and_refuses_other_items() -> None:
    assert_same(hours(WindowSet(iter([w(1, 2)]))), [(1, 2)])
    with pytest.raises(TypeError):
        WindowSet(cast(Any, [w(1, 2), (at(3), at(4))]))


@pytest.mark.weight(2)
def test_an_empty_window_set_is_falsy_and_empty() -> None:
    empty = WindowSet()

    assert not empty
    assert_same(bool(empty), False)
    assert_same(len(empty), 0)
    assert_same(list(empty), [])
    assert_same(bool(ws((1, 2))), True)
    assert_same(empty.total_duration, dt.timedelta(0))


def test_iterating_a_window_set_gives_its_windows_by_start() -> None:
    window_set = ws((5, 6), (1, 2))

    assert_same([repr(window) for window in window_set], [repr(w(1, 2)), repr(w(5, 6))])
    assert_same(list(window_set), list(window_set), "a set can be iterated more than once")


def test_the_total_duration_adds_up_the_disjoint_windows() -> None:
    assert_same(ws((1, 3), (2, 4), (6, 7)).total_duration, dt.timedelta(hours=4))


@pytest.mark.weight(2)
def test_the_repr_of_a_window_set_is_code_that_makes_it() -> None:
    window_set = ws((3, 4), (1, 2))

    assert_same(repr(window_set), f"WindowSet([{w(1, 2)!r}, {w(3, 4)!r}])")
    assert_same(repr(WindowSet()), "WindowSet([])")
    rebuilt = eval(repr(window_set), {"datetime": dt, "Window": Window, "WindowSet": WindowSet})
    assert rebuilt == window_set


# --- WindowSet: __contains__, __eq__, __hash__ -------------------------------------------


@pytest.mark.weight(2)
def test_a_window_set_contains_the_instants_of_its_windows() -> None:
    window_set = ws((1, 2), (4, 6))

    assert at(1) in window_set
    assert at(5, 30) in window_set
    assert at(2) not in window_set
    assert at(3) not in window_set
    assert at(6) not in window_set
    assert at(1) not in WindowSet()


@pytest.mark.weight(2)
def test_a_window_set_contains_a_window_inside_one_of_its_windows() -> None:
    window_set = ws((1, 2), (2, 3), (4, 6))

    assert w(1, 3) in window_set, "touching windows were merged, so 1-3 lies inside 1-3"
    assert w(4, 5) in window_set
    assert w(2, 5) not in window_set, "2-5 crosses the gap from 3 to 4"
    assert w(6, 7) not in window_set


def test_a_window_set_refuses_to_say_whether_it_contains_something_else() -> None:
    with pytest.raises(TypeError):
        _ = 3 in cast(Any, ws((1, 2)))
    with pytest.raises(TypeError):
        _ = "now" in cast(Any, WindowSet())


@pytest.mark.weight(2)
def test_sets_of_the_same_instants_are_equal_and_hash_alike() -> None:
    one = ws((1, 3), (5, 6))
    two = ws((5, 6), (2, 3), (1, 2))

    assert one == two
    assert hash(one) == hash(two)
    assert_same({one: "ok"}[two], "ok")
    assert one != ws((1, 3))
    assert one != ws((1, 3), (5, 7))
    assert WindowSet() == WindowSet()


def test_a_window_set_is_not_equal_to_a_list_or_a_window() -> None:
    assert ws((1, 2)) != [w(1, 2)]
    assert not (ws((1, 2)) == w(1, 2))
    assert ws((1, 2)) == Foreign(), "__eq__ should return NotImplemented so that Python asks the other side"


# --- WindowSet: |, & and - --------------------------------------------------------------


@pytest.mark.weight(2)
def test_union_holds_the_instants_of_either_set() -> None:
    a = ws((1, 3), (8, 9))
    b = ws((2, 5), (9, 10), (12, 13))

    assert_same(hours(a | b), [(1, 5), (8, 10), (12, 13)])
    assert_same(hours(a | WindowSet()), [(1, 3), (8, 9)])
    assert_same(hours(a), [(1, 3), (8, 9)], "operators return a new set")


@pytest.mark.weight(2)
def test_intersection_holds_the_instants_of_both_sets() -> None:
    a = ws((1, 5), (7, 12))
    b = ws((0, 2), (4, 8), (9, 10), (11, 14))

    assert_same(hours(a & b), [(1, 2), (4, 5), (7, 8), (9, 10), (11, 12)])
    assert_same(hours(b & a), [(1, 2), (4, 5), (7, 8), (9, 10), (11, 12)])


def test_sets_that_only_touch_have_an_empty_intersection() -> None:
    assert_same(hours(ws((1, 3)) & ws((3, 5))), [])
    assert_same(hours(ws((1, 3)) & WindowSet()), [])


@pytest.mark.weight(2)
def test_difference_cuts_the_other_sets_instants_out() -> None:
    maintenance = ws((0, 6), (8, 12))
    freezes = ws((1, 2), (4, 9), (11, 13))

    assert_same(hours(maintenance - freezes), [(0, 1), (2, 4), (9, 11)])
    assert_same(hours(freezes - maintenance), [(6, 8), (12, 13)])


def test_difference_edge_cases() -> None:
    day = ws((0, 10))

    assert_same(hours(day - WindowSet()), [(0, 10)])
    assert_same(hours(day - ws((0, 10))), [])
    assert_same(hours(day - ws((0, 3))), [(3, 10)])
    assert_same(hours(day - ws((7, 10))), [(0, 7)])
    assert_same(hours(day - ws((10, 12))), [(0, 10)], "a touching cut takes nothing")
    assert_same(hours(ws((2, 4)) - ws((0, 1), (6, 8))), [(2, 4)])
    assert_same(hours(ws((2, 4)) - ws((0, 9))), [])
    assert_same(hours(WindowSet() - day), [])


def test_difference_cuts_to_the_minute() -> None:
    result = ws((1, 3)) - WindowSet([Window(at(1, 30), at(2, 15))])

    assert_same([str(window) for window in result], [
        "2024-05-01T01:00:00+00:00/2024-05-01T01:30:00+00:00",
        "2024-05-01T02:15:00+00:00/2024-05-01T03:00:00+00:00",
    ])


@pytest.mark.weight(2)
def test_operators_return_not_implemented_for_foreign_operands() -> None:
    window_set: Any = ws((1, 2))

    with pytest.raises(TypeError):
        _ = window_set | w(3, 4)
    with pytest.raises(TypeError):
        _ = window_set & [w(1, 2)]
    with pytest.raises(TypeError):
        _ = window_set - 1
    assert_same(window_set | Foreign(), "foreign |")
    assert_same(window_set & Foreign(), "foreign &")
    assert_same(window_set - Foreign(), "foreign -")
