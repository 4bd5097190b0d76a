"""Per-user activity from the audit log, for the weekly security review.

The audit log is a file of JSON lines, one event each:

    {"ts": "2024-03-01T09:15:00+00:00", "user": "ada", "action": "login", "ok": false}

`ok` may be left out, and then means true.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REQUIRED_FIELDS = ("ts", "user", "action")


class AuditLogError(Exception):
    """A line of the audit log that cannot be read."""

    def __init__(self, line_number: int, problem: str) -> None:
        super().__init__(f"line {line_number}: {problem}")
        self.line_number = line_number


@dataclass(frozen=True)
class Event:
    """One event of the audit log."""

    timestamp: datetime.datetime
    user: str
    action: str
    ok: bool = True


@dataclass(frozen=True)
class UserActivity:
    """What one user did in the period of a report."""

    user: str
    events: int
    logins: int
    failed_logins: int
    last_seen: datetime.datetime

    @property
    def failure_rate(self) -> float:
        """The share of this user's logins that failed, 0.0 without logins."""
        if self.logins == 0:
            return 0.0
        return self.failed_logins / self.logins


def parse_event(line: str, line_number: int) -> Event:
    """Return the event on one line of the audit log, or raise AuditLogError."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise AuditLogError(line_number, "not valid JSON") from err
    if not isinstance(record, dict):
        raise AuditLogError(line_number, "not a JSON object")
    for field in REQUIRED_FIELDS:
        if field not in record:
            raise AuditLogError(line_number, f"missing field {field!r}")
    try:
        timestamp = datetime.datetime.fromisoformat(record["ts"])
    except (TypeError, ValueError) as err:
        raise AuditLogError(line_number, f"bad timestamp {record['ts']!r}") from err
    return Event(timestamp, record["user"], record["action"], record.get("ok", True))


def load_events(path: Path) -> list[Event]:
    """Return the events of the audit log at `path`, in file order, skipping blank lines."""
    with path.open(encoding="utf-8") as log:
        return [
            parse_event(line, number)
            for number, line in enumerate(log, start=1)
            if line.strip()
        ]


def activity_of(user: str, events: list[Event]) -> UserActivity:
    """Return the activity of `user`, whose events these are."""
    logins = [event for event in events if event.action == "login"]
    return UserActivity(
        user=user,
        events=len(events),
        logins=len(logins),
        failed_logins=sum(not event.ok for event in logins),
        last_seen=max(event.timestamp for event in events),
    )


def summarise(
    events: Iterable[Event], start: datetime.date, end: datetime.date
) -> list[UserActivity]:
    """Return each user's activity from `start` to `end`, both included, busiest first.

    Users with as many events are in the order of their names. Raises ValueError if `start`
    is after `end`.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    by_user: dict[str, list[Event]] = {}
    for event in events:
        if start <= event.timestamp.date() <= end:
            by_user.setdefault(event.user, []).append(event)
    report = [activity_of(user, user_events) for user, user_events in by_user.items()]
    return sorted(report, key=lambda activity: (-activity.events, activity.user))
