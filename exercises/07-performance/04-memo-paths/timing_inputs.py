"""Inputs for the timing check of the memo-paths exercise (trusted, not handed out).

``make_input(n, seed)`` returns ``(grid,)``: an ``n`` x ``n`` floor plan (``n`` >= 20) made of

- a comb filling the top-left: a corridor along the top row with dead-end side passages of
  random lengths hanging from every other column. Each of these cells can be reached in one
  way only, so a memoised and a naive solution both visit each of them about once: the comb
  sets the memoised solution's time (a few milliseconds at n = 112);
- an open hall of ``HALL`` x ``HALL`` cells in the bottom-right corner, with three pillars,
  entered through a single door from the comb's last side passage. Inside the hall the number
  of paths, and so the naive solution's work, explodes: C(24, 12), about 2.7 million paths,
  for an empty hall, 1 to 2.5 million with the pillars. The naive solution needs about a
  second there, whatever ``n`` is; the memoised one visits 169 cells.

Everything else is wall.
"""

from __future__ import annotations

import random

HALL = 13


def make_input(n: int, seed: int) -> tuple[list[str]]:
    """The positional arguments ``(grid,)`` for one call, the same for the same (n, seed)."""
    if n < 20:
        raise ValueError("the floor plan needs n >= 20")
    rng = random.Random(seed)
    cells = [["#"] * n for _ in range(n)]
    comb = n - HALL  # the comb spans rows and columns 0 .. comb - 1
    last_passage = comb - 1 if (comb - 1) % 2 == 0 else comb - 2
    for col in range(last_passage + 1):
        cells[0][col] = "."
    for col in range(0, last_passage + 1, 2):
        length = comb - 1 if col == last_passage else rng.randint(comb // 2, comb - 1)
        for row in range(1, length + 1):
            cells[row][col] = "."
    # The door: from the bottom of the last passage, right along the comb's last row, then
    # down into the hall's top-left corner.
    for col in range(last_passage, comb + 1):
        cells[comb - 1][col] = "."
    for row in range(comb, n):
        for col in range(comb, n):
            cells[row][col] = "."
    for _ in range(3):  # pillars, never on the hall's first or last row or column
        cells[rng.randint(comb + 1, n - 2)][rng.randint(comb + 1, n - 2)] = "#"
    return (["".join(row) for row in cells],)
