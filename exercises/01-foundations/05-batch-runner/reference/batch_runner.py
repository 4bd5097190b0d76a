"""A small job runner: feed items to a handler in batches, and describe, order and count jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class RunReport(Generic[R]):
    """What a run of `run_batches` did."""

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
    """Hand ``items`` to ``handler`` in batches of ``batch_size``, retrying a batch whose
    handler raised up to ``retries`` times, until the items run out or ``stop_on`` says stop.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if retries < 0:
        raise ValueError(f"retries must be 0 or more, got {retries}")
    report: RunReport[R] = RunReport()

    def run(batch: list[T]) -> bool:
        """Run one batch; return whether the run goes on."""
        number = len(report.results) + len(report.failed)
        attempt = 0
        while True:
            attempt += 1
            report.attempts += 1
            try:
                result = handler(list(batch))
            except Exception:
                if attempt > retries:
                    report.failed.append(number)
                    return True
                continue
            report.results.append(result)
            return stop_on is None or not stop_on(result)

    batch: list[T] = []
    for item in items:
        if item is None:
            report.skipped += 1
            continue
        batch.append(item)
        if len(batch) < batch_size:
            continue
        if not run(batch):
            report.completed = False
            break
        batch = []
    else:
        if batch and not run(batch):
            report.completed = False
    return report


@dataclass(frozen=True)
class Job:
    """A function to call later, with its arguments."""

    name: str
    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def run(self) -> Any:
        """Call the function with the job's arguments and return what it returns."""
        return self.func(*self.args, **self.kwargs)


def make_job(name: str, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Job:
    """Make a job that calls ``func(*args, **kwargs)``; any keyword, even ``name`` or
    ``func``, goes to ``func``."""
    return Job(name, func, args, kwargs)


def describe(job: Job) -> str:
    """The job as a call: ``resize('a.png', width=640)``."""
    shown = [repr(arg) for arg in job.args]
    shown += [f"{key}={value!r}" for key, value in job.kwargs.items()]
    return f"{job.name}({', '.join(shown)})"


def order_jobs(jobs: Iterable[Job], priority: Mapping[str, int] | None = None) -> list[Job]:
    """The jobs by priority, highest first (a name missing from ``priority`` has 0), then by
    name; jobs that tie on both keep their order."""
    priority = priority or {}
    return sorted(jobs, key=lambda job: (-priority.get(job.name, 0), job.name))


def make_counter(start: int = 0, *, step: int = 1) -> Callable[[], int]:
    """A function that returns ``start``, then ``start + step``, and so on, one per call."""
    if step == 0:
        raise ValueError("step must not be 0")
    following = start

    def next_value() -> int:
        nonlocal following
        value = following
        following += step
        return value

    return next_value
