"""Inputs for the memory check of the JSON Lines export (trusted, not handed out).

``make_input(n, seed)`` returns ``(lines, sink)``: a GENERATOR of a CSV header and ``n``
rows, like a file being read, and a sink that only counts what is written to it. The
random choices are drawn up front (before the measured call), but each line's text is
only built when the generator is asked for it, so a solution that keeps every line,
every event or every JSON line holds ``n`` new objects at once.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

SERVICES = ("api", "billing", "search", "auth", "mailer", "worker")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MESSAGES = (
    "request served",
    '"slow query", retried',
    "cache miss",
    "upstream timeout, giving up",
    "user signed in",
    "payment declined",
)


class CountingSink:
    """A writable that keeps only how many lines and characters it was given."""

    def __init__(self) -> None:
        self.lines = 0
        self.chars = 0

    def write(self, text: str) -> int:
        self.lines += text.count("\n")
        self.chars += len(text)
        return len(text)


def make_input(n: int, seed: int) -> tuple[Iterator[str], CountingSink]:
    """The positional arguments ``(lines, out)`` for one call, the same for the same (n, seed)."""
    rng = random.Random(seed)
    plan = [
        (
            rng.randrange(len(SERVICES)),
            rng.choices(range(len(LEVELS)), weights=(30, 50, 15, 5))[0],
            rng.randint(0, 5000),
            rng.randrange(len(MESSAGES)),
        )
        for _ in range(n)
    ]

    def lines() -> Iterator[str]:
        yield "time,service,level,latency_ms,message\n"
        for index, (service, level, latency, message) in enumerate(plan):
            text = MESSAGES[message]
            if "," in text or '"' in text:
                text = '"' + text.replace('"', '""') + '"'
            seconds = index % 86400
            stamp = f"{seconds // 3600:02}:{seconds // 60 % 60:02}:{seconds % 60:02}"
            yield f"{stamp},{SERVICES[service]},{LEVELS[level]},{latency},{text}\n"

    return (lines(), CountingSink())
