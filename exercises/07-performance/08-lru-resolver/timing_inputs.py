"""Inputs for the timing check of the lru-resolver exercise (trusted, not handed out).

``make_input(n, seed)`` returns ``(config,)``: a service map of two parts.

- A *ladder* of ``LADDER`` layers of two services each, every service depending on both
  services of the layer below. A service there depends on every service below it, but
  through 2 ** depth paths: a resolver without a cache walks every path, about a million
  calls in all, and needs about a second; a cached one asks each service once.
- A *chain* of ``n`` services, each depending on the next, every fourth one also on a leaf
  service of its own; the first one also depends on the top of the ladder. Each of these is
  reached in one way only, so both resolvers do about the same work here: it sets the
  cached resolver's time (a few milliseconds at n = 150).
"""

from __future__ import annotations

import random

LADDER = 18


def make_input(n: int, seed: int) -> tuple[dict[str, list[str]]]:
    """The positional arguments ``(config,)`` for one call, the same for the same (n, seed)."""
    rng = random.Random(seed)
    config: dict[str, list[str]] = {}
    for layer in range(LADDER):
        below = [f"rung{layer + 1}-{side}" for side in "ab"] if layer + 1 < LADDER else []
        for side in "ab":
            config[f"rung{layer}-{side}"] = below
    for index in range(n):
        needs = [f"svc{index + 1}"] if index + 1 < n else []
        if index % 4 == 0:  # a leaf of its own, somewhere on the ladder's right-hand side
            needs.append(f"leaf{rng.randrange(1_000_000)}-{index}")
            config[needs[-1]] = []
        config[f"svc{index}"] = needs
    config["svc0"].append("rung0-a")
    return (config,)
