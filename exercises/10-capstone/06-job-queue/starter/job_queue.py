"""A persistent job queue in a folder: priorities, leases, retries and dead letters.

Workers ``lease`` a job, do it, and ``ack`` it; a job whose worker crashed comes back when its
lease runs out, and a job that keeps failing ends in the dead-letter list instead of being
retried forever. Everything is kept in files in the queue's folder, written before each call
returns, so a new ``JobQueue`` over the same folder (after a restart or a crash) carries on
where the last one stopped.

How the jobs are stored is yours to design: ``sqlite3`` and a JSON-lines log are both in the
standard library.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any


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
    """A durable priority queue of JSON jobs in ``folder`` (made if missing).

    ``clock`` gives the time in seconds; it is the wall clock by default because leases
    outlive the process. ``visibility_timeout`` (more than 0) is how long a lease lasts,
    ``max_attempts`` (at least 1) how many leases a job gets. Bad options raise
    ``ValueError`` naming the option.
    """

    def __init__(
        self,
        folder: Path,
        *,
        clock: Callable[[], float] = time.time,
        visibility_timeout: float = 30.0,
        max_attempts: int = 3,
    ) -> None:
        raise NotImplementedError

    def __enter__(self) -> JobQueue:
        raise NotImplementedError

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the queue holds open; the jobs stay in the folder."""
        raise NotImplementedError

    def enqueue(self, payload: object, *, priority: int = 0) -> str:
        """Add a ready job and return its id, unique in the folder.

        Raises:
            ValueError: ``payload`` is not something JSON can hold (NaN and the
                infinities included).
        """
        raise NotImplementedError

    def lease(self) -> Job | None:
        """Lease the next ready job, or return None when there is none.

        The next job has the highest priority, then was enqueued first (a job that comes
        back keeps its place). Leasing adds 1 to its attempts, and the job stays invisible
        to other leases until ``now + visibility_timeout``. A lease that has run out
        (``now >= lease_expires_at``) makes its job ready again, or a dead letter if that
        was its last attempt.
        """
        raise NotImplementedError

    def ack(self, job: Job) -> None:
        """Remove the job: it is done.

        Raises:
            LeaseLostError: this lease of the job ran out, or was acked or nacked already.
        """
        raise NotImplementedError

    def nack(self, job: Job) -> None:
        """Make the job ready again at once, or a dead letter after its last attempt.

        Raises:
            LeaseLostError: this lease of the job ran out, or was acked or nacked already.
        """
        raise NotImplementedError

    def dead_letters(self) -> list[Job]:
        """Return the jobs that used up their attempts, in the order they were enqueued."""
        raise NotImplementedError

    def stats(self) -> dict[str, int]:
        """Return how many jobs are ``"ready"``, ``"leased"`` and ``"dead"``."""
        raise NotImplementedError
