"""Count and find pairs of values that add up to a target, in one pass (O(n))."""

from __future__ import annotations

from collections.abc import Sequence


def count_pairs(values: Sequence[int], target: int) -> int:
    """Return how many index pairs ``i < j`` have ``values[i] + values[j] == target``.

    One pass: ``seen`` counts the values met so far, so the current value completes
    exactly ``seen[target - value]`` new pairs (one with each earlier partner).
    """
    seen: dict[int, int] = {}
    pairs = 0
    for value in values:
        pairs += seen.get(target - value, 0)
        seen[value] = seen.get(value, 0) + 1
    return pairs


def find_pair(values: Sequence[int], target: int) -> tuple[int, int] | None:
    """Return the first pair of positions ``(i, j)``, ``i < j``, whose values add up to ``target``.

    The smallest ``j``, and for that ``j`` the smallest ``i``; ``None`` if there is none.
    ``first_index`` remembers where each value was first seen, which is the smallest
    ``i`` a later partner can pair with.
    """
    first_index: dict[int, int] = {}
    for j, value in enumerate(values):
        i = first_index.get(target - value)
        if i is not None:
            return (i, j)
        first_index.setdefault(value, j)
    return None
