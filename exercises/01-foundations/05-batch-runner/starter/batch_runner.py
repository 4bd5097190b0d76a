"""A small job runner: feed items to a handler in batches, and describe, order and count jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class RunReport(Generic[R]):
    """What a run of `run_batches` did.

    - ``results``: what the handler returned, one per batch that succeeded, in order.
    - ``failed``: the numbers of the batches whose every attempt raised (the first batch
      is number 0).
    - ``attempts``: how many times the handler was called, retries included.
    - ``skipped``: how many items were None.
    - ``completed``: False when ``stop_on`` stopped the run, True otherwise.
    """

    results: list[R] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    attempts: int = 0
    skipped: int = 0
    completed: bool = True


def run_batches(
    items: Iterable[T | None],
    handler: Callable[[list[T]], R],
    /,
    *,
    batch_size: int,
    retries: int = 0,
    stop_on: Callable[[R], bool] | None = None,
) -> RunReport[R]:
    """Hand ``items`` to ``handler`` in batches of ``batch_size`` and report what happened.

    - ``batch_size`` below 1 or ``retries`` below 0: ``ValueError``, before any item is read.
    - Items are read one at a time, and a batch is handed over as soon as it is full, so
      that the run never reads an item it will not use. The last batch may be shorter.
    - An item that is None is skipped and counted; any other item, even 0 or "", is kept.
    - Each call of ``handler`` gets a new list. A call that raises an ``Exception`` is
      retried, up to ``retries`` more times; when every attempt raised, the batch is
      recorded in ``failed`` and the run goes on with the next batch.
    - When ``stop_on`` is given and returns True for a result, the run stops there.
    """
    raise NotImplementedError


@dataclass(frozen=True)
class Job:
    """A function to call later, with its arguments."""

    name: str
    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def run(self) -> Any:
        """Call the function with the job's arguments and return what it returns."""
        raise NotImplementedError


def make_job(name: str, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Job:
    """Make a job that calls ``func(*args, **kwargs)`` when it runs.

    ``name`` and ``func`` are positional-only, so any keyword argument, even one called
    ``name`` or ``func``, is kept for ``func``.
    """
    raise NotImplementedError


def describe(job: Job) -> str:
    """The job written as a call: its name, then its arguments with ``repr`` and its keyword
    arguments as ``key=repr(value)``, in the order given: ``resize('a.png', width=640)``."""
    raise NotImplementedError


def order_jobs(jobs: Iterable[Job], priority: Mapping[str, int] | None = None) -> list[Job]:
    """The jobs in the order to run them, as a new list: by priority, highest first (a name
    missing from ``priority`` has priority 0), then by name. Jobs that tie on both keep
    their order."""
    raise NotImplementedError


def make_counter(start: int = 0, *, step: int = 1) -> Callable[[], int]:
    """A function that returns ``start`` on its first call, then ``start + step``, and so on.

    Each counter counts on its own. A ``step`` of 0 is a ``ValueError``.
    """
    raise NotImplementedError
