"""Count and find pairs of values that add up to a target.

This version is CORRECT but SLOW: both functions compare every value with every
other value, so doubling the input makes them about four times slower (O(n**2)).
Your job is to rewrite them so that they look at each value once (O(n)), without
changing what they return.

Neither function may modify ``values``.
"""

from __future__ import annotations

from collections.abc import Sequence


def count_pairs(values: Sequence[int], target: int) -> int:
    """Return how many index pairs ``i < j`` have ``values[i] + values[j] == target``.

    Pairs are counted by position, so equal values each take part:
    ``count_pairs([2, 2, 2], 4) == 3`` (positions 0-1, 0-2 and 1-2), while a single
    ``3`` does not pair with itself: ``count_pairs([3], 6) == 0``.
    """
    count = 0
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            if values[i] + values[j] == target:
                count += 1
    return count


def find_pair(values: Sequence[int], target: int) -> tuple[int, int] | None:
    """Return the first pair of positions ``(i, j)``, ``i < j``, whose values add up to ``target``.

    "First" means the pair that is complete earliest when reading the values from
    left to right: the smallest ``j``, and for that ``j`` the smallest ``i``.
    ``find_pair([1, 2, 4, 5], 6) == (1, 2)`` (2 + 4), not ``(0, 3)`` (1 + 5).
    Return ``None`` if no pair adds up to ``target``.
    """
    for j in range(len(values)):
        for i in range(j):
            if values[i] + values[j] == target:
                return (i, j)
    return None
