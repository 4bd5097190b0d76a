"""Inputs for the timing checks of the pair-sums exercise (trusted, not handed out).

``make_input(n, seed)`` returns the arguments of one ``count_pairs`` call: ``n`` integers drawn
from ``[-n/2, n/2]``, so every value occurs about twice on average, and an even target near zero,
so that duplicates and pairs of two equal halves (``target / 2`` twice) are common. A solution
that mishandles either gives a wrong count here.
"""

from __future__ import annotations

import random


def make_input(n: int, seed: int) -> tuple[list[int], int]:
    """The arguments ``(values, target)`` of one call, the same for the same (n, seed)."""
    rng = random.Random(seed)
    half_range = max(1, n // 2)
    values = [rng.randint(-half_range, half_range) for _ in range(n)]
    target = 2 * rng.randint(-half_range // 4, half_range // 4)
    return values, target
