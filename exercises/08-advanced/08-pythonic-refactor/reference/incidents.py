"""Summarise the on-call incident log for the weekly review.

Each line of the log is ``service|severity|minutes|title``, for example
``billing|2|45|card payments failing``. Severity 1 is the worst.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice, pairwise


@dataclass
class Incident:
    """One incident from the log."""

    service: str
    severity: int
    minutes: int
    title: str
    tags: list[str] = field(default_factory=list)


def parse_line(line: str) -> Incident | None:
    """Parse one log line; None for a blank line or a ``#`` comment.

    A line that does not have four fields, or whose severity or minutes is not a
    whole number, raises ValueError.
    """
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    parts = stripped.split("|")
    if len(parts) != 4:
        raise ValueError(f"expected 4 fields, got {len(parts)}: {stripped!r}")
    service, severity, minutes, title = parts
    try:
        return Incident(service.strip(), int(severity), int(minutes), title.strip())
    except ValueError:
        raise ValueError(f"severity and minutes must be whole numbers: {stripped!r}") from None


def parse_log(lines: Iterable[str]) -> list[Incident]:
    """Parse every line of the log, skipping blanks and comments."""
    return [incident for line in lines if (incident := parse_line(line)) is not None]


def count_by_service(incidents: Iterable[Incident]) -> dict[str, int]:
    """How many incidents each service had."""
    return dict(Counter(incident.service for incident in incidents))


def minutes_by_service(incidents: Iterable[Incident]) -> dict[str, int]:
    """The total minutes of incident per service."""
    totals: defaultdict[str, int] = defaultdict(int)
    for incident in incidents:
        totals[incident.service] += incident.minutes
    return dict(totals)


def worst(incidents: Iterable[Incident], limit: int = 3) -> list[Incident]:
    """The ``limit`` worst incidents: lowest severity first, then longest, then by title."""
    ranked = sorted(incidents, key=lambda i: (i.severity, -i.minutes, i.title))
    return list(islice(ranked, max(limit, 0)))


def has_outage(incidents: Iterable[Incident]) -> bool:
    """Whether any incident has severity 1."""
    return any(incident.severity == 1 for incident in incidents)


def services_with(incidents: Iterable[Incident], severity: int) -> list[str]:
    """The services with an incident of ``severity``, each once, sorted."""
    return sorted({incident.service for incident in incidents if incident.severity == severity})


def format_minutes(value: float | None) -> str:
    """``95`` as ``1h35m``, ``40`` as ``40m``; a float is rounded down; None is ``-``."""
    if value is None:
        return "-"
    hours, minutes = divmod(int(value), 60)
    return f"{hours}h{minutes:02}m" if hours else f"{minutes}m"


def render(incidents: Sequence[Incident], title: str, tags: Sequence[str] = ()) -> str:
    """The report as text: a title line, then a line per service, sorted by name.

    Each service's line is ``  <service>: <count> incident(s), <minutes>``. ``tags``, if
    any, are listed on a last line as ``tags: a, b``.
    """
    counts = count_by_service(incidents)
    totals = minutes_by_service(incidents)
    lines = [title]
    for service, count in sorted(counts.items()):
        plural = "" if count == 1 else "s"
        lines.append(
            f"  {service}: {count} incident{plural}, {format_minutes(totals[service])}"
        )
    if tags:
        lines.append(f"tags: {', '.join(tags)}")
    return "\n".join(lines) + "\n"


def pairs(items: Iterable[str]) -> list[tuple[str, str]]:
    """Each item with the one after it: ``["a", "b", "c"]`` gives ``[("a", "b"), ("b", "c")]``."""
    return list(pairwise(items))
