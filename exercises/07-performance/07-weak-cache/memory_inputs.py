"""Inputs for the memory check of the weak-cache exercise (trusted, not handed out).

``make_input(n, seed)`` returns a one-tuple holding a list of ``n`` ``(target, line)``
pairs, built before the measured call, so that what the call allocates is the list it
returns and the ``Link`` records in it: nothing else.
"""

from __future__ import annotations

import random


def make_input(n: int, seed: int) -> tuple[list[tuple[str, int]]]:
    """The positional arguments ``(found,)`` for one call, the same for the same (n, seed)."""
    rng = random.Random(seed)
    targets = [f"/docs/page-{number}.html" for number in range(200)]
    return ([(rng.choice(targets), rng.randrange(1, 5000)) for _ in range(n)],)
