"""A bounded work queue: worker threads run submitted tasks, results come back in order.

The exceptions and ``Result`` are given. Write ``WorkQueue``: its state (the tasks waiting
to start, the results, the next index, whether it is closed) is shared by the caller's
threads and the workers, so guard it with a lock, and let threads that must wait for a
change of it (room in the queue, a task to run) wait on a ``threading.Condition``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class QueueFull(Exception):
    """``submit`` found no room in the queue within its timeout."""


class QueueClosed(RuntimeError):
    """A task was submitted after ``shutdown``."""


class TaskCancelled(Exception):
    """The task was still waiting to start when the queue was shut down with ``cancel=True``."""

    def __init__(self, index: int) -> None:
        super().__init__(f"task {index} was cancelled before it started")
        self.index = index


@dataclass(frozen=True)
class Result(Generic[R]):
    """The outcome of one task: its value, or the exception it raised (or was cancelled with)."""

    index: int
    value: R | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        """True if the task returned normally."""
        return self.error is None


class WorkQueue(Generic[T, R]):
    """Runs ``fn`` on submitted items in ``workers`` threads, with room for ``capacity`` waiting."""

    def __init__(self, fn: Callable[[T], R], *, workers: int, capacity: int) -> None:
        """Start ``workers`` worker threads at once.

        Raises ValueError if ``workers`` or ``capacity`` is less than 1.
        """
        raise NotImplementedError

    @property
    def pending(self) -> int:
        """How many submitted tasks wait for a worker (not counting those running)."""
        raise NotImplementedError

    def submit(self, item: T, *, timeout: float | None = None) -> int:
        """Queue ``fn(item)`` and return the task's index: 0 for the first task, then 1, 2, ...

        While ``capacity`` tasks are waiting, block until one starts, for at most
        ``timeout`` seconds (``None``: as long as it takes); then raise QueueFull.
        Raises QueueClosed if the queue is shut down, also while this call waits.
        """
        raise NotImplementedError

    def shutdown(self, *, cancel: bool = False, wait: bool = True) -> None:
        """Accept no more tasks; let the workers stop once no task is left.

        With ``cancel=False`` every task already submitted still runs (the queue drains).
        With ``cancel=True`` the tasks still waiting never run: each one's result is a
        TaskCancelled error. Tasks already running finish either way. With ``wait=True``,
        return once every worker thread has stopped. Calling it again is harmless.
        """
        raise NotImplementedError

    def results(self) -> list[Result[R]]:
        """Shut the queue down (draining it, unless it was cancelled) and return every result.

        The list holds one result per submitted task, in the order of submission.
        """
        raise NotImplementedError
