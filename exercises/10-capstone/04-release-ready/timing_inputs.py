"""Inputs for the timing check (trusted, not handed out): a log of `n` lines over `n // 10`
endpoints, so that a lookup that scans every endpoint seen so far makes the whole quadratic."""

import random


def make_input(n: int, seed: int) -> tuple[list[str]]:
    """The positional arguments `(lines,)` for one call, the same for the same (n, seed)."""
    rng = random.Random(seed)
    endpoints = max(1, n // 10)
    lines = [
        f"2026-12-01T10:00:00Z GET /api/v{rng.randrange(endpoints)}/items/{rng.randrange(10**6)}"
        f" {rng.choice((200, 201, 404, 500, 503))} {rng.randrange(2000)}"
        for _ in range(n)
    ]
    return (lines,)
