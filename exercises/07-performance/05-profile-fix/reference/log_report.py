"""Summarise a web server's access log: requests, errors, bytes sent and the busiest clients."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

# 203.0.113.9 - - [10/Mar/2025:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 2326
LINE = re.compile(
    r'(?P<ip>\S+) \S+ \S+ \[[^\]]*\] "(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" '
    r"(?P<status>\d{3}) (?P<size>\d+|-)"
)


class Request(NamedTuple):
    """One request of the log."""

    ip: str
    method: str
    path: str
    status: int
    size: int


class Report(NamedTuple):
    """What ``build_report`` found in a log."""

    requests: int
    malformed: int
    errors: int
    bytes_sent: int
    top_ips: tuple[tuple[str, int], ...]


def parse_line(line: str) -> Request | None:
    """Parse one log line, or return None if it is not a well-formed request line.

    A size of ``-`` (nothing sent) counts as 0.
    """
    match = LINE.fullmatch(line.strip())
    if match is None:
        return None
    size = 0 if match["size"] == "-" else int(match["size"])
    return Request(match["ip"], match["method"], match["path"], int(match["status"]), size)


def by_count_then_key(item: tuple[str, int]) -> tuple[int, str]:
    """Sort key: the highest count first, ties in the order of the keys."""
    key, count = item
    return -count, key


class Leaderboard:
    """Counts how often each key is seen, and ranks the keys by their counts."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def add(self, key: str) -> None:
        """Count one more sighting of ``key``."""
        self._counts[key] = self._counts.get(key, 0) + 1

    def top(self, n: int) -> list[tuple[str, int]]:
        """The ``n`` most frequent keys with their counts, ranked once, when asked."""
        return sorted(self._counts.items(), key=by_count_then_key)[:n]


def build_report(lines: Iterable[str], top: int = 3) -> Report:
    """Summarise an access log.

    Blank lines are ignored; other lines that ``parse_line`` cannot read count as
    malformed. ``errors`` counts the requests with a status of 400 or more, and
    ``top_ips`` holds the ``top`` busiest client addresses with their request
    counts, busiest first, ties in the order of the addresses (as text). Raises
    ValueError if ``top`` is negative.
    """
    if top < 0:
        raise ValueError(f"top must not be negative, got {top}")
    requests = malformed = errors = bytes_sent = 0
    clients = Leaderboard()
    for line in lines:
        if not line.strip():
            continue
        request = parse_line(line)
        if request is None:
            malformed += 1
            continue
        requests += 1
        if request.status >= 400:
            errors += 1
        bytes_sent += request.size
        clients.add(request.ip)
    return Report(requests, malformed, errors, bytes_sent, tuple(clients.top(top)))
