"""Access-log aggregation: one pass over the lines, constant work per line.

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

    def add(self, status: int, duration_ms: int) -> None:
        """Counts one request."""
        self.count += 1
        if status >= SERVER_ERROR:
            self.errors += 1
        self.total_ms += duration_ms
        self.max_ms = max(self.max_ms, duration_ms)


@dataclass
class Summary:
    """Every endpoint's stats, and how many lines were not requests."""

    endpoints: dict[str, EndpointStats] = field(default_factory=dict)
    skipped: int = 0


def normalise(path: str) -> str:
    """The path with each all-digit segment replaced by `{id}`."""
    return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))


def parse_line(line: str) -> tuple[str, int, int] | None:
    """`(endpoint, status, duration_ms)` of one log line, or None when it is no request."""
    fields = line.split()
    if len(fields) != 5:
        return None
    _, method, path, status, duration = fields
    if not (status.isdigit() and duration.isdigit()):
        return None
    return f"{method} {normalise(path)}", int(status), int(duration)


def summarise(lines: Iterable[str]) -> Summary:
    """The summary of the log `lines`, read once, one line at a time."""
    summary = Summary()
    for line in lines:
        request = parse_line(line)
        if request is None:
            summary.skipped += 1
            continue
        endpoint, status, duration = request
        stats = summary.endpoints.get(endpoint)
        if stats is None:
            stats = summary.endpoints[endpoint] = EndpointStats(endpoint)
        stats.add(status, duration)
    return summary


def render(summary: Summary) -> str:
    """The report: the busiest endpoints first (ties by name), then the skipped lines."""
    ordered = sorted(summary.endpoints.values(), key=lambda s: (-s.count, s.endpoint))
    lines = [
        f"{s.endpoint}  count={s.count} errors={s.errors} "
        f"mean={s.mean_ms:.1f}ms max={s.max_ms}ms"
        for s in ordered
    ]
    if summary.skipped:
        lines.append(f"skipped {summary.skipped} malformed lines")
    return "\n".join(lines) + "\n" if lines else "no requests\n"
