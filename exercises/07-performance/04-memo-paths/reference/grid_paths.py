"""Count the paths across a grid with blocked cells, moving only right or down.

The recursion is memoised with ``functools.cache``: each cell's answer is computed
once, so the work is proportional to the number of cells instead of the number of
paths.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

OPEN = "."
BLOCKED = "#"


def count_paths(grid: Sequence[str]) -> int:
    """Return how many paths lead from the top-left cell to the bottom-right cell.

    ``grid`` is a sequence of rows of equal length; ``"."`` is an open cell and
    ``"#"`` a blocked one. A path moves one cell right or one cell down at a time
    and never enters a blocked cell. A grid without cells has 0 paths.

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

    # Defined anew on every call, so each grid gets a fresh, empty cache: a cache that
    # outlived the call would answer the next grid's questions with this grid's paths.
    @functools.cache
    def paths_from(row: int, col: int) -> int:
        """The number of paths from cell (row, col) to the bottom-right cell."""
        if row == rows or col == cols or grid[row][col] == BLOCKED:
            return 0
        if row == rows - 1 and col == cols - 1:
            return 1
        return paths_from(row + 1, col) + paths_from(row, col + 1)

    return paths_from(0, 0)
