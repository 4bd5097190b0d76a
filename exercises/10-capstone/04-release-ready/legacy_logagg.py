"""The access-log aggregator as it runs in production today: correct, and slow.

Each line of an access log reads `TIMESTAMP METHOD PATH STATUS DURATION_MS`, for example
`2026-12-01T10:00:00Z GET /api/orders/42 200 35`. `summarise` groups the requests by endpoint:
the method and the path with every all-digit segment replaced by `{id}`. `render` writes the
report the on-call engineer reads.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

SERVER_ERROR = 500


@dataclass
class EndpointStats:
    """The requests of one endpoint."""

    endpoint: str
    count: int = 0
    errors: int = 0
    total_ms: int = 0
    max_ms: int = 0

    @property
    def mean_ms(self) -> float:
        """The mean duration, in milliseconds."""
        return self.total_ms / self.count


@dataclass
class Summary:
    """Every endpoint's stats, and how many lines were not requests."""

    endpoints: dict[str, EndpointStats] = field(default_factory=dict)
    skipped: int = 0


def normalise(path: str) -> str:
    """The path with each all-digit segment replaced by `{id}`."""
    parts = []
    for part in path.split("/"):
        if part.isdigit():
            parts.append("{id}")
        else:
            parts.append(part)
    return "/".join(parts)


def parse_line(line: str) -> tuple[str, int, int] | None:
    """`(endpoint, status, duration_ms)` of one log line, or None when it is no request."""
    fields = line.split()
    if len(fields) != 5:
        return None
    _, method, path, status, duration = fields
    if not (status.isdigit() and duration.isdigit()):
        return None
    return method + " " + normalise(path), int(status), int(duration)


def find_stats(all_stats: list[EndpointStats], endpoint: str) -> EndpointStats | None:
    """The stats of `endpoint` in the list, or None."""
    for stats in all_stats:
        if stats.endpoint == endpoint:
            return stats
    return None


def summarise(lines: Iterable[str]) -> Summary:
    """The summary of the log `lines` (any iterable of str)."""
    lines = list(lines)
    skipped = 0
    for line in lines:
        if parse_line(line) is None:
            skipped += 1
    all_stats: list[EndpointStats] = []
    for line in lines:
        request = parse_line(line)
        if request is None:
            continue
        endpoint, status, duration = request
        stats = find_stats(all_stats, endpoint)
        if stats is None:
            stats = EndpointStats(endpoint)
            all_stats.append(stats)
        stats.count += 1
        if status >= SERVER_ERROR:
            stats.errors += 1
        stats.total_ms += duration
        if duration > stats.max_ms:
            stats.max_ms = duration
    return Summary({stats.endpoint: stats for stats in all_stats}, skipped)


def render(summary: Summary) -> str:
    """The report: the busiest endpoints first (ties by name), then the skipped lines."""
    ordered = sorted(summary.endpoints.values(), key=lambda s: (-s.count, s.endpoint))
    lines = []
    for stats in ordered:
        lines.append(
            f"{stats.endpoint}  count={stats.count} errors={stats.errors} "
            f"mean={stats.mean_ms:.1f}ms max={stats.max_ms}ms"
        )
    if summary.skipped:
        lines.append(f"skipped {summary.skipped} malformed lines")
    return "\n".join(lines) + "\n" if lines else "no requests\n"
