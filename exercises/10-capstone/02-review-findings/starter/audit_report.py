"""Per-user activity from the audit log, for the weekly security review.

The audit log is a file of JSON lines, one event each:

    {"ts": "2024-03-01T09:15:00+00:00", "user": "ada", "action": "login", "ok": false}

`ok` may be left out, and then means true.
"""

import datetime
import json
from dataclasses import dataclass


class AuditLogError(Exception):
    """A line of the audit log that cannot be read."""

    def __init__(self, line_number, problem):
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
    def failure_rate(self):
        return self.failed_logins / self.logins


def parseTs(s):
    return datetime.datetime.fromisoformat(s)


def load_events(path):
    f = open(path, encoding="utf-8")
    out = []
    for l in f:
        if l.strip() == "":
            continue
        try:
            d = json.loads(l)
            out.append(Event(parseTs(d["ts"]), d["user"], d["action"], d.get("ok", True)))
        except:
            pass
    return out


def summarise(events, start, end, totals={}):
    # from start to end, both included, busiest first
    for e in events:
        if e.timestamp.date() >= start:
            if e.timestamp.date() < end:
                if e.user not in totals:
                    totals[e.user] = {"events": 0, "logins": 0, "failed": 0, "last": None}
                t = totals[e.user]
                t["events"] += 1
                if e.action == "login":
                    t["logins"] += 1
                    if e.ok == False:
                        t["failed"] += 1
                if t["last"] == None or e.timestamp > t["last"]:
                    t["last"] = e.timestamp
    userList = []
    for u in totals:
        t = totals[u]
        userList.append(UserActivity(u, t["events"], t["logins"], t["failed"], t["last"]))
    userList.sort(key=lambda a: (-a.events, a.user))
    return userList
