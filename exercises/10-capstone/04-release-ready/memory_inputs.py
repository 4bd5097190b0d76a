"""Inputs for the memory check (trusted, not handed out): a GENERATOR of `n` log lines over
20 endpoints, each line made only when it is read, like a file being read. A solution that
keeps every line, or every request, holds `n` objects at once; one that keeps only each
endpoint's running stats holds 20."""

import random
from collections.abc import Iterator


def make_input(n: int, seed: int) -> tuple[Iterator[str]]:
    """The positional arguments `(lines,)` for one call, the same for the same (n, seed)."""
    rng = random.Random(seed)
    picks = [(rng.randrange(20), rng.randrange(10**6), rng.randrange(2000)) for _ in range(n)]

    def lines() -> Iterator[str]:
        for endpoint, item, duration in picks:
            yield f"2026-12-01T10:00:00Z GET /api/r{endpoint}/items/{item} 200 {duration}\n"

    return (lines(),)
