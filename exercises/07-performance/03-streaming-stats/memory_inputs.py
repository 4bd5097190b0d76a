"""Inputs for the memory check of the streaming-stats exercise (trusted, not handed out).

``make_input(n, seed)`` returns a one-tuple holding a GENERATOR of ``n`` lines, like a file
being read: mostly numbers (whole, or with .25/.5/.75, some with surrounding whitespace),
with some blank lines and ``#`` comments. The random numbers are drawn up front (before the
measured call), but each line's text is only built when the generator is asked for it, so a
solution that keeps every line, or every value, holds ``n`` new objects at once.

All numbers are multiples of 0.25 below 10 000, so every sum of them is exact in floating
point: the total does not depend on the order of the additions.
"""

from __future__ import annotations

import random
from collections.abc import Iterator


def make_input(n: int, seed: int) -> tuple[Iterator[str]]:
    """The positional arguments ``(lines,)`` for one call, the same for the same (n, seed)."""
    rng = random.Random(seed)
    # (kind, quarters): kind 0 is a blank line, 1 a comment, 2 a number of `quarters` / 4.
    plan = [
        (0 if roll < 0.04 else 1 if roll < 0.07 else 2, rng.randint(-40_000, 40_000))
        for roll in (rng.random() for _ in range(n))
    ]
    plan[0] = (2, plan[0][1])  # never a file without numbers

    def lines() -> Iterator[str]:
        for index, (kind, quarters) in enumerate(plan):
            if kind == 0:
                yield "   \n" if index % 2 else "\n"
            elif kind == 1:
                yield f"# reading {index}\n"
            elif quarters % 4 == 0:
                yield f"{quarters // 4}\n"
            else:
                yield f"  {quarters / 4}  \n"

    return (lines(),)
