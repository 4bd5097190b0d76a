"""Access-log aggregation: the legacy script's behaviour, typed, in one streaming pass.

Each line of an access log reads `TIMESTAMP METHOD PATH STATUS DURATION_MS`, for example
`2026-12-01T10:00:00Z GET /api/orders/42 200 35`. `summarise` groups the requests by endpoint:
the method and the path with every all-digit segment replaced by `{id}`. `render` writes the
report the on-call engineer reads. `legacy_logagg.py` shows what each function does today.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field


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
        raise NotImplementedError


@dataclass
class Summary:
    """Every endpoint's stats, and how many lines were not requests."""

    endpoints: dict[str, EndpointStats] = field(default_factory=dict)
    skipped: int = 0


def summarise(lines: Iterable[str]) -> Summary:
    """The summary of the log `lines`, read once, one line at a time."""
    raise NotImplementedError


def render(summary: Summary) -> str:
    """The report: the busiest endpoints first (ties by name), then the skipped lines."""
    raise NotImplementedError
