"""A bounded work queue: worker threads run submitted tasks, results come back in order.

One condition variable guards all of the queue's state: the tasks waiting to start, the
results, the next task's index and whether the queue is closed. Every change of that state
is followed by ``notify_all``, and every wait re-checks its own predicate, so producers
waiting for room, workers waiting for tasks and callers waiting for results all wake when
something they care about has changed. The task function runs outside the lock, so a slow
task holds up no one else.
"""

from __future__ import annotations

import threading
from collections import deque
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
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        self._fn = fn
        self._capacity = capacity
        self._changed = threading.Condition()
        self._waiting: deque[tuple[int, T]] = deque()
        self._results: dict[int, Result[R]] = {}
        self._submitted = 0
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"work-queue-{number}", daemon=True)
            for number in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def pending(self) -> int:
        """How many submitted tasks wait for a worker (not counting those running)."""
        with self._changed:
            return len(self._waiting)

    def submit(self, item: T, *, timeout: float | None = None) -> int:
        """Queue ``fn(item)`` and return the task's index: 0 for the first task, then 1, 2, ...

        While ``capacity`` tasks are waiting, block until one starts, for at most
        ``timeout`` seconds (``None``: as long as it takes); then raise QueueFull.
        Raises QueueClosed if the queue is shut down, also while this call waits.
        """
        with self._changed:
            has_room = self._changed.wait_for(
                lambda: self._closed or len(self._waiting) < self._capacity, timeout
            )
            if self._closed:
                raise QueueClosed("the work queue is shut down")
            if not has_room:
                raise QueueFull(f"{self._capacity} tasks are already waiting")
            index = self._submitted
            self._submitted += 1
            self._waiting.append((index, item))
            self._changed.notify_all()
            return index

    def shutdown(self, *, cancel: bool = False, wait: bool = True) -> None:
        """Accept no more tasks; let the workers stop once no task is left.

        With ``cancel=False`` every task already submitted still runs (the queue drains).
        With ``cancel=True`` the tasks still waiting never run: each one's result is a
        TaskCancelled error. Tasks already running finish either way. With ``wait=True``,
        return once every worker thread has stopped. Calling it again is harmless.
        """
        with self._changed:
            self._closed = True
            if cancel:
                for index, _ in self._waiting:
                    self._results[index] = Result(index, error=TaskCancelled(index))
                self._waiting.clear()
            self._changed.notify_all()
        if wait:
            for thread in self._threads:
                thread.join()

    def results(self) -> list[Result[R]]:
        """Shut the queue down (draining it, unless it was cancelled) and return every result.

        The list holds one result per submitted task, in the order of submission.
        """
        self.shutdown()
        with self._changed:
            return [self._results[index] for index in range(self._submitted)]

    def _work(self) -> None:
        """One worker: take the oldest waiting task, run it, store its result; until closed."""
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._closed or bool(self._waiting))
                if not self._waiting:
                    return  # closed, and nothing left to do
                index, item = self._waiting.popleft()
                self._changed.notify_all()  # a producer may wait for this room
            try:
                result: Result[R] = Result(index, value=self._fn(item))
            except Exception as error:  # the task's failure is its result, not the worker's end
                result = Result(index, error=error)
            with self._changed:
                self._results[index] = result
