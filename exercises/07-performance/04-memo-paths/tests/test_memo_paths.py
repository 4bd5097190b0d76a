"""Tests for the memo-paths exercise.

These tests pin down WHAT ``count_paths`` returns, on grids small enough for the
slow starter. How FAST it is on a large grid is graded separately by pygrade's
timing check.
"""

from __future__ import annotations

import math

import pytest
from pygrade_graders.compare import assert_same

from grid_paths import count_paths


def open_grid(rows: int, cols: int) -> list[str]:
    return ["." * cols] * rows


@pytest.mark.parametrize(
    ("grid", "expected"),
    [
        (["."], 1),
        (["..", ".."], 2),
        (["...", "...", "..."], 6),
        (["......"], 1),
        ([".", ".", "."], 1),
    ],
)
def test_counts_the_paths_across_small_open_grids(grid: list[str], expected: int) -> None:
    assert_same(count_paths(grid), expected)


@pytest.mark.weight(2)
@pytest.mark.parametrize(("rows", "cols"), [(2, 5), (4, 4), (5, 8), (9, 9)])
def test_open_grids_match_the_binomial_formula(rows: int, cols: int) -> None:
    # A path makes (rows - 1) moves down among (rows - 1) + (cols - 1) moves in all.
    expected = math.comb(rows + cols - 2, rows - 1)

    assert_same(count_paths(open_grid(rows, cols)), expected)


def test_paths_avoid_blocked_cells() -> None:
    grid = [
        "...",
        ".#.",
        "...",
    ]
    assert_same(count_paths(grid), 2, "only the paths around the edge remain")


def test_dead_ends_add_no_paths() -> None:
    grid = [
        "....",
        ".###",
        ".#..",
        "...#",
    ]
    # Every path that does not end on the goal is a dead end: here there is no way in.
    assert_same(count_paths(grid), 0)
    grid[3] = "...."
    assert_same(count_paths(grid), 1, "now the left column and bottom row lead to the goal")


@pytest.mark.parametrize(
    "grid",
    [
        ["#..", "...", "..."],  # blocked start
        ["...", "...", "..#"],  # blocked goal
        ["...", "###", "..."],  # a wall across the grid
        ["#"],
    ],
)
def test_no_path_gives_zero(grid: list[str]) -> None:
    assert_same(count_paths(grid), 0)


@pytest.mark.parametrize("grid", [[], [""], ["", ""]])
def test_a_grid_without_cells_has_no_paths(grid: list[str]) -> None:
    assert_same(count_paths(grid), 0)


@pytest.mark.weight(2)
def test_counts_the_paths_through_a_maze() -> None:
    maze = [
        "........",
        ".#..#...",
        "...#..#.",
        "#.......",
        "..#.##..",
        "........",
        ".#...#..",
        "...#....",
    ]
    assert_same(count_paths(maze), 44)


@pytest.mark.weight(2)
def test_each_call_answers_for_its_own_grid() -> None:
    # Same size, different walls: a cache left over from one call must not leak into the next.
    left_wall = ["....", "#...", "#...", "#..."]
    staircase = [".###", "...#", "#..#", "#..."]

    assert_same(count_paths(left_wall), 10)
    assert_same(count_paths(staircase), 3)
    assert_same(count_paths(left_wall), 10, "a repeated call must give the same answer")
    assert_same(count_paths(open_grid(4, 4)), 20)


def test_accepts_a_tuple_and_leaves_the_grid_unchanged() -> None:
    grid = ["..#", "...", "#.."]

    assert_same(count_paths(tuple(grid)), 4)
    assert_same(count_paths(grid), 4)
    assert_same(grid, ["..#", "...", "#.."], "count_paths must not modify its argument")


@pytest.mark.parametrize(
    "grid",
    [
        ["...", "..", "..."],  # a short row
        ["..x", "...", "..."],  # an unknown character
    ],
)
def test_rejects_a_malformed_grid(grid: list[str]) -> None:
    with pytest.raises(ValueError):
        count_paths(grid)
