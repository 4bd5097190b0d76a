"""Summarise the on-call incident log for the weekly review.

Each line of the log is ``service|severity|minutes|title``, for example
``billing|2|45|card payments failing``. Severity 1 is the worst.

This module works, and its tests pass. It is also written like Java from 2005: index
loops, hand-made counting, strings glued in loops, ``== None``, a mutable default
argument and ``type(x) ==`` checks. Rewrite it the Python way, keeping its behaviour.
"""

from typing import Dict, List, Optional, Tuple


class Incident:
    """One incident from the log."""

    def __init__(self, service, severity, minutes, title, tags=[]):
        self.service = service
        self.severity = severity
        self.minutes = minutes
        self.title = title
        self.tags = list(tags)

    def __eq__(self, other):
        if type(other) != Incident:
            return NotImplemented
        return (self.service, self.severity, self.minutes, self.title, self.tags) == (
            other.service, other.severity, other.minutes, other.title, other.tags)

    def __repr__(self):
        return "Incident(%r, %r, %r, %r, %r)" % (
            self.service, self.severity, self.minutes, self.title, self.tags)


def parse_line(line: str) -> Optional[Incident]:
    """Parse one log line; None for a blank line or a ``#`` comment.

    A line that does not have four fields, or whose severity or minutes is not a
    whole number, raises ValueError.
    """
    stripped = line.strip()
    if stripped == "" or stripped.startswith("#") == True:
        return None
    parts = stripped.split("|")
    if len(parts) != 4:
        raise ValueError("expected 4 fields, got %d: %r" % (len(parts), stripped))
    try:
        severity = int(parts[1])
        minutes = int(parts[2])
    except ValueError:
        raise ValueError("severity and minutes must be whole numbers: %r" % stripped)
    return Incident(parts[0].strip(), severity, minutes, parts[3].strip())


def parse_log(lines: List[str]) -> List[Incident]:
    """Parse every line of the log, skipping blanks and comments."""
    incidents = []
    for i in range(len(lines)):
        incident = parse_line(lines[i])
        if incident != None:
            incidents.append(incident)
    return incidents


def count_by_service(incidents: List[Incident]) -> Dict[str, int]:
    """How many incidents each service had."""
    counts = {}
    for i in range(len(incidents)):
        service = incidents[i].service
        if service in counts.keys():
            counts[service] = counts[service] + 1
        else:
            counts[service] = 1
    return counts


def minutes_by_service(incidents: List[Incident]) -> Dict[str, int]:
    """The total minutes of incident per service."""
    totals = {}
    for incident in incidents:
        if not incident.service in totals:
            totals[incident.service] = 0
        totals[incident.service] += incident.minutes
    return totals


def worst(incidents: List[Incident], limit: int = 3) -> List[Incident]:
    """The ``limit`` worst incidents: lowest severity first, then longest, then by title."""
    ranked = []
    for incident in incidents:
        ranked.append(incident)
    ranked.sort(key=lambda incident: (incident.severity, -incident.minutes, incident.title))
    result = []
    for i in range(len(ranked)):
        if i < limit:
            result.append(ranked[i])
    return result


def has_outage(incidents: List[Incident]) -> bool:
    """Whether any incident has severity 1."""
    found = False
    for incident in incidents:
        if incident.severity == 1:
            found = True
    if found == True:
        return True
    else:
        return False


def services_with(incidents: List[Incident], severity: int) -> List[str]:
    """The services with an incident of ``severity``, each once, sorted."""
    names = []
    for incident in incidents:
        if incident.severity == severity:
            if incident.service not in names:
                names.append(incident.service)
    return sorted(names)


def format_minutes(value) -> str:
    """``95`` as ``1h35m``, ``40`` as ``40m``; a float is rounded down; None is ``-``."""
    if value == None:
        return "-"
    if type(value) == float:
        value = int(value)
    hours = value // 60
    minutes = value % 60
    if hours > 0:
        return str(hours) + "h" + str(minutes).zfill(2) + "m"
    else:
        return str(minutes) + "m"


def render(incidents: List[Incident], title: str, tags: List[str] = []) -> str:
    """The report as text: a title line, then a line per service, sorted by name.

    Each service's line is ``  <service>: <count> incident(s), <minutes>``. ``tags``, if
    any, are listed on a last line as ``tags: a, b``.
    """
    counts = count_by_service(incidents)
    totals = minutes_by_service(incidents)
    text = title + "\n"
    services = list(counts.keys())
    services.sort()
    for i in range(len(services)):
        service = services[i]
        plural = ""
        if counts[service] != 1:
            plural = "s"
        text = text + "  " + service + ": " + str(counts[service]) + " incident" + plural
        text = text + ", " + format_minutes(totals[service]) + "\n"
    if len(tags) > 0:
        joined = ""
        for i in range(len(tags)):
            if i > 0:
                joined = joined + ", "
            joined = joined + tags[i]
        text = text + "tags: " + joined + "\n"
    return text


def pairs(items: List[str]) -> List[Tuple[str, str]]:
    """Each item with the one after it: ``["a", "b", "c"]`` gives ``[("a", "b"), ("b", "c")]``."""
    result = []
    for i in range(len(items) - 1):
        result.append((items[i], items[i + 1]))
    return result
