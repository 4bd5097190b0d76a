"""A persistent job queue in a folder: priorities, leases, retries and dead letters.

Workers ``lease`` a job, do it, and ``ack`` it; a job whose worker crashed comes back when its
lease runs out, and a job that keeps failing ends in the dead-letter list instead of being
retried forever. Everything lives in one SQLite database in the queue's folder, written
before each call returns, so a new ``JobQueue`` over the same folder (after a restart or a
crash) carries on where the last one stopped.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

DATABASE = "jobs.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- enqueue order, kept across restarts
    id TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,                  -- JSON
    priority INTEGER NOT NULL,
    state TEXT NOT NULL,                    -- 'ready', 'leased' or 'dead'
    attempts INTEGER NOT NULL,
    lease_expires_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_by_turn ON jobs (state, priority DESC, seq);
"""

_COLUMNS = "id, payload, priority, attempts, lease_expires_at"


class LeaseLostError(Exception):
    """An ack or nack for a lease that is over: it ran out, or was settled already."""


@dataclass(frozen=True)
class Job:
    """A job as a worker sees it.

    ``attempts`` counts its leases, this one included; ``lease_expires_at`` is when the
    lease runs out (None for a dead letter).
    """

    id: str
    payload: Any
    priority: int
    attempts: int
    lease_expires_at: float | None


class JobQueue:
    """A durable priority queue of JSON jobs in ``folder``."""

    def __init__(
        self,
        folder: Path,
        *,
        clock: Callable[[], float] = time.time,
        visibility_timeout: float = 30.0,
        max_attempts: int = 3,
    ) -> None:
        if not visibility_timeout > 0:
            raise ValueError(f"visibility_timeout must be positive, got {visibility_timeout}")
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        self._clock = clock
        self._timeout = visibility_timeout
        self._max_attempts = max_attempts
        folder.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: each statement is its own transaction unless `_transaction` opens
        # one, so every call is on disk when it returns.
        self._db = sqlite3.connect(folder / DATABASE, isolation_level=None)
        self._db.executescript(_SCHEMA)

    def __enter__(self) -> JobQueue:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database; the jobs stay in the folder."""
        self._db.close()

    def enqueue(self, payload: object, *, priority: int = 0) -> str:
        """Add a job and return its id.

        Raises:
            ValueError: ``payload`` is not something JSON can hold.
        """
        try:
            text = json.dumps(payload, allow_nan=False)
        except (TypeError, ValueError) as err:
            raise ValueError(f"the payload cannot be stored as JSON: {err}") from err
        job_id = uuid.uuid4().hex
        self._db.execute(
            "INSERT INTO jobs (id, payload, priority, state, attempts)"
            " VALUES (?, ?, ?, 'ready', 0)",
            (job_id, text, priority),
        )
        return job_id

    def lease(self) -> Job | None:
        """Lease the next job (highest priority, then the oldest), or return None.

        The job stays invisible to other leases for ``visibility_timeout`` seconds.
        """
        with self._transaction() as now:
            row = self._db.execute(
                f"SELECT seq, {_COLUMNS} FROM jobs WHERE state = 'ready'"
                " ORDER BY priority DESC, seq LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            seq, job_id, payload, priority, attempts, _ = row
            expires = now + self._timeout
            self._db.execute(
                "UPDATE jobs SET state = 'leased', attempts = ?, lease_expires_at = ?"
                " WHERE seq = ?",
                (attempts + 1, expires, seq),
            )
            return Job(job_id, json.loads(payload), priority, attempts + 1, expires)

    def ack(self, job: Job) -> None:
        """The job is done: remove it.

        Raises:
            LeaseLostError: the lease ran out or was settled already.
        """
        with self._transaction() as now:
            self._check_lease(job, now)
            self._db.execute("DELETE FROM jobs WHERE id = ?", (job.id,))

    def nack(self, job: Job) -> None:
        """The job failed: make it ready again, or a dead letter after its last attempt.

        Raises:
            LeaseLostError: the lease ran out or was settled already.
        """
        with self._transaction() as now:
            self._check_lease(job, now)
            self._db.execute(
                "UPDATE jobs SET state = ?, lease_expires_at = NULL WHERE id = ?",
                (self._after_failure(job.attempts), job.id),
            )

    def dead_letters(self) -> list[Job]:
        """The jobs that used up their attempts, in the order they were enqueued."""
        with self._transaction():
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE state = 'dead' ORDER BY seq"
            ).fetchall()
        return [Job(i, json.loads(p), prio, tries, None) for i, p, prio, tries, _ in rows]

    def stats(self) -> dict[str, int]:
        """How many jobs are ``ready``, ``leased`` and ``dead``."""
        with self._transaction():
            counts = dict(self._db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state"))
        return {state: counts.get(state, 0) for state in ("ready", "leased", "dead")}

    @contextmanager
    def _transaction(self) -> Iterator[float]:
        """One write transaction, after settling the leases that ran out; yields the time."""
        now = self._clock()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._expire_leases(now)
            yield now
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _expire_leases(self, now: float) -> None:
        expired = self._db.execute(
            "SELECT id, attempts FROM jobs WHERE state = 'leased' AND lease_expires_at <= ?",
            (now,),
        ).fetchall()
        for job_id, attempts in expired:
            self._db.execute(
                "UPDATE jobs SET state = ?, lease_expires_at = NULL WHERE id = ?",
                (self._after_failure(attempts), job_id),
            )

    def _after_failure(self, attempts: int) -> str:
        return "dead" if attempts >= self._max_attempts else "ready"

    def _check_lease(self, job: Job, now: float) -> None:
        row = self._db.execute(
            "SELECT attempts FROM jobs WHERE id = ? AND state = 'leased'", (job.id,)
        ).fetchone()
        if row is None or row[0] != job.attempts:
            raise LeaseLostError(f"job {job.id} is no longer leased to this worker")
