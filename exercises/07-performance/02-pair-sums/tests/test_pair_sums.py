"""Tests for the pair-sums exercise.

These tests pin down WHAT the functions return, on small inputs. How FAST they are is
graded separately by pygrade's timing checks, so the slow starter passes these tests.
"""

from __future__ import annotations

import itertools
import random

import pytest
from pygrade_graders.compare import assert_same

from pair_sums import count_pairs, find_pair


def brute_force_count(values: list[int], target: int) -> int:
    """The definition, spelled out: every pair of positions i < j, checked one by one."""
    return sum(1 for a, b in itertools.combinations(values, 2) if a + b == target)


def seeded_values(seed: int) -> list[int]:
    """A small list with plenty of repeats and negative numbers, the same for each seed."""
    rng = random.Random(seed)
    return [rng.randint(-6, 6) for _ in range(40)]


# --- count_pairs ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "target", "expected"),
    [
        ([1, 5, 3, 4], 8, 1),  # 5 + 3; 4 + 4 would need a second 4
        ([1, 2, 3, 4, 5], 6, 2),  # 1 + 5 and 2 + 4
        ([-3, 3, 0, 7, -7], 0, 2),  # negative partners
        ([10, 20, 30], 100, 0),
    ],
)
def test_counts_pairs_of_distinct_values(values: list[int], target: int, expected: int) -> None:
    assert_same(count_pairs(values, target), expected)


@pytest.mark.parametrize("values", [[], [6]])
def test_fewer_than_two_values_make_no_pair(values: list[int]) -> None:
    assert_same(count_pairs(values, 6), 0)


def test_a_value_does_not_pair_with_itself() -> None:
    assert_same(count_pairs([3, 1, 7], 6), 0, "the single 3 must not be counted as 3 + 3")


def test_two_equal_halves_make_a_pair() -> None:
    assert_same(count_pairs([3, 1, 3], 6), 1)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("values", "target", "expected"),
    [
        ([2, 2, 2], 4, 3),  # positions 0-1, 0-2, 1-2
        ([0, 0, 0, 0], 0, 6),  # every one of the 4 * 3 / 2 position pairs
        ([1, 1, 5, 5, 5], 6, 6),  # each of the two 1s with each of the three 5s
    ],
)
def test_repeated_values_count_once_per_pair_of_positions(
    values: list[int], target: int, expected: int
) -> None:
    assert_same(count_pairs(values, target), expected)


@pytest.mark.weight(2)
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_agrees_with_checking_every_pair(seed: int) -> None:
    values = seeded_values(seed)
    for target in (-4, 0, 1, 6):
        assert_same(
            count_pairs(values, target),
            brute_force_count(values, target),
            f"values={values}, target={target}",
        )


def test_accepts_any_sequence_and_leaves_it_unchanged() -> None:
    values = [4, 2, 4, 0, 2]
    as_tuple = tuple(values)

    assert_same(count_pairs(values, 4), 3)  # 4 + 0 twice, 2 + 2 once
    assert_same(count_pairs(as_tuple, 4), 3, "a tuple is a Sequence too")
    assert_same(values, [4, 2, 4, 0, 2], "count_pairs must not modify its argument")


# --- find_pair ------------------------------------------------------------------


def test_finds_the_pair_that_is_complete_first() -> None:
    # 2 + 4 is complete at position 2, before 1 + 5 is complete at position 3.
    assert_same(find_pair([1, 2, 4, 5], 6), (1, 2))


def test_pairs_with_the_earliest_partner() -> None:
    assert_same(find_pair([4, 1, 4, 5], 9), (0, 3), "the 5 can pair with the 4 at 0 or at 2")


def test_equal_halves_need_two_positions() -> None:
    assert_same(find_pair([3, 8, 3], 6), (0, 2))
    assert find_pair([3, 8], 6) is None, "a single 3 is not a pair"


@pytest.mark.parametrize("values", [[], [1], [1, 2, 3]])
def test_returns_none_when_no_pair_adds_up(values: list[int]) -> None:
    assert find_pair(values, 100) is None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_find_pair_agrees_with_checking_every_pair(seed: int) -> None:
    values = seeded_values(seed)
    for target in (-13, -4, 0, 6, 13):
        pairs = ((i, j) for j in range(len(values)) for i in range(j))
        expected = next(((i, j) for i, j in pairs if values[i] + values[j] == target), None)
        assert_same(find_pair(values, target), expected, f"values={values}, target={target}")
