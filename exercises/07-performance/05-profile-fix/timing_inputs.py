"""Inputs for the timing check of the profile-fix exercise (trusted, not handed out).

``make_input(n, seed)`` returns ``(lines, 5)``: an access log of ``n`` lines as a list, and the
number of busiest clients to report. About ``n / 20`` client addresses appear, a few of them far
more often than the rest. About 1 line in 100 is blank and 1 in 100 is malformed; about a sixth of
the requests fail (4xx or 5xx); redirects have ``-`` as their size.
"""

from __future__ import annotations

import itertools
import random

METHODS = ["GET"] * 8 + ["POST", "HEAD"]
STATUSES = [200] * 14 + [304, 301, 404, 403, 500]
PAGES = ["/", "/index.html", "/about", "/login", "/search", "/static/app.js", "/static/site.css"]


def make_input(n: int, seed: int) -> tuple[list[str], int]:
    """The positional arguments ``(lines, top)`` for one call, the same for the same (n, seed)."""
    rng = random.Random(seed)
    clients = [
        f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        for _ in range(max(10, n // 20))
    ]
    # Client k is picked with a weight of 1 / (k + 1): a few busy clients, a long tail.
    weights = list(itertools.accumulate(1 / (k + 1) for k in range(len(clients))))
    picked = rng.choices(clients, cum_weights=weights, k=n)
    lines = []
    for number, ip in enumerate(picked):
        roll = rng.random()
        if roll < 0.01:
            lines.append("\n")
            continue
        if roll < 0.02:
            lines.append(f"{ip} - - [truncated\n")
            continue
        page = rng.choice(PAGES) if roll < 0.6 else f"/items/{rng.randint(1, 5000)}"
        status = rng.choice(STATUSES)
        size = "-" if status in (301, 304) else str(rng.randint(100, 90_000))
        minute, second = divmod(number // 7, 60)
        lines.append(
            f'{ip} - - [10/Mar/2025:{minute // 60 % 24:02d}:{minute % 60:02d}:{second:02d} +0000] '
            f'"{rng.choice(METHODS)} {page} HTTP/1.1" {status} {size}\n'
        )
    return lines, 5
