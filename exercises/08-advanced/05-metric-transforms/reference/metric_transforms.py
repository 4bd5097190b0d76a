"""Small, pure transforms over streams of metric samples, and a way to compose them.

Each transform takes an iterable of samples and returns a lazy iterator of new ones; none
of them changes its input. ``compose`` chains them into a pipeline, and ``functools.partial``
fixes their leading arguments, so a dashboard's query reads as one line:

    per_minute = compose(partial(only, "http.requests"), rate, partial(scale, 60.0), list)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial, reduce
from itertools import accumulate, chain, groupby, islice, pairwise
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple


class Sample(NamedTuple):
    """One reading of a metric: its name, a time in whole seconds and a value."""

    metric: str
    timestamp: int
    value: float


by_metric = attrgetter("metric")


def _call(value: Any, fn: Callable[[Any], Any]) -> Any:
    return fn(value)


def compose(*fns: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Return one function that applies ``fns`` left to right, like a pipeline.

    ``compose(f, g, h)(x)`` is ``h(g(f(x)))``; ``compose()`` is the identity.
    """

    def composed(value: Any) -> Any:
        return reduce(_call, fns, value)

    return composed


def only(metric: str, samples: Iterable[Sample]) -> Iterator[Sample]:
    """Lazily keep the samples of ``metric``."""
    return (sample for sample in samples if sample.metric == metric)


def scale(factor: float, samples: Iterable[Sample]) -> Iterator[Sample]:
    """Lazily multiply every value by ``factor``."""
    return (sample._replace(value=sample.value * factor) for sample in samples)


def _increase(earlier: Sample, later: Sample) -> float:
    if later.value < earlier.value:  # the counter was reset: it counted up from zero
        return later.value
    return later.value - earlier.value


def rate(samples: Iterable[Sample]) -> Iterator[Sample]:
    """Lazily turn a counter's samples into per-second rates between neighbours.

    Each pair of consecutive samples gives one sample at the later time, with the increase
    divided by the seconds between them. A counter that went down was reset, so its
    increase is its new value. Timestamps that do not increase raise ValueError.
    """
    for earlier, later in pairwise(samples):
        seconds = later.timestamp - earlier.timestamp
        if seconds <= 0:
            raise ValueError(
                f"timestamps must increase: {earlier.timestamp} then {later.timestamp}"
            )
        yield later._replace(value=_increase(earlier, later) / seconds)


def _add(total: Sample, sample: Sample) -> Sample:
    return sample._replace(value=total.value + sample.value)


def running_total(samples: Iterable[Sample]) -> Iterator[Sample]:
    """Lazily replace each value by the sum of the values so far."""
    return accumulate(samples, _add)


def take(count: int, samples: Iterable[Sample]) -> Iterator[Sample]:
    """Lazily keep the first ``count`` samples; a negative count raises ValueError."""
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    return islice(samples, count)


def concat(*streams: Iterable[Sample]) -> Iterator[Sample]:
    """Lazily read the streams one after another."""
    return chain.from_iterable(streams)


def totals(samples: Iterable[Sample]) -> dict[str, float]:
    """Return the sum of the values of each metric, its keys sorted by name."""
    ordered = sorted(samples, key=by_metric)
    return {
        metric: sum(sample.value for sample in group)
        for metric, group in groupby(ordered, key=by_metric)
    }


def top(count: int, values: Mapping[str, float]) -> list[tuple[str, float]]:
    """Return the ``count`` largest items of ``values``, largest first, ties by name."""
    by_name = sorted(values.items(), key=itemgetter(0))
    return sorted(by_name, key=itemgetter(1), reverse=True)[:count]


def _higher(best: Sample, sample: Sample) -> Sample:
    return sample if sample.value > best.value else best


def peak(samples: Iterable[Sample]) -> Sample:
    """Return the sample of the largest value, the earliest on a tie.

    No samples at all raises ValueError.
    """
    stream = iter(samples)
    first = next(stream, None)
    if first is None:
        raise ValueError("peak of no samples")
    return reduce(_higher, stream, first)


def per_minute(metric: str) -> Callable[[Iterable[Sample]], list[Sample]]:
    """Return a pipeline: the samples of ``metric``, as a rate per minute, in a list."""
    pipeline: Callable[[Iterable[Sample]], list[Sample]] = compose(
        partial(only, metric), rate, partial(scale, 60.0), list
    )
    return pipeline
