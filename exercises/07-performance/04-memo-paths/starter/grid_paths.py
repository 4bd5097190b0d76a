"""Count the paths across a grid with blocked cells, moving only right or down.

This version is CORRECT but SLOW. The recursion asks the same question ("how many
paths lead from this cell to the goal?") again and again: every different way of
reaching a cell asks it anew, and the number of ways grows exponentially with the
size of the grid. A 13 x 13 room already means millions of calls.

Memoise it: remember each cell's answer the first time it is computed, with
``functools.cache`` (or ``functools.lru_cache(maxsize=None)``), so that every cell
is computed once. Keep the recursive formula as it is.

``count_paths`` must not modify ``grid``.
"""

from __future__ import annotations

from collections.abc import Sequence

OPEN = "."
BLOCKED = "#"


def count_paths(grid: Sequence[str]) -> int:
    """Return how many paths lead from the top-left cell to the bottom-right cell.

    ``grid`` is a sequence of rows of equal length; ``"."`` is an open cell and
    ``"#"`` a blocked one. A path moves one cell right or one cell down at a time
    and never enters a blocked cell, so a blocked start or goal means 0 paths.
    A grid of one open cell has 1 path (the empty one); a grid without cells
    (``[]`` or ``[""]``) has 0.

    Raises ValueError if the rows have different lengths or contain a character
    other than ``"."`` and ``"#"``.
    """
    rows = len(grid)
    cols = len(grid[0]) if rows else 0
    for row in grid:
        if len(row) != cols:
            raise ValueError("all rows of the grid must have the same length")
        if set(row) - {OPEN, BLOCKED}:
            raise ValueError(f"unknown cell in row {row!r}: use '.' and '#' only")
    if cols == 0:
        return 0

    def paths_from(row: int, col: int) -> int:
        """The number of paths from cell (row, col) to the bottom-right cell."""
        if row == rows or col == cols or grid[row][col] == BLOCKED:
            return 0
        if row == rows - 1 and col == cols - 1:
            return 1
        return paths_from(row + 1, col) + paths_from(row, col + 1)

    return paths_from(0, 0)
