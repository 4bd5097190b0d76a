"""Small, pure transforms over streams of metric samples, and a way to compose them.

Each transform takes an iterable of samples and returns a lazy iterator of new ones; none
of them changes its input. ``compose`` chains them into a pipeline, and ``functools.partial``
fixes their leading arguments, so a dashboard's query reads as one line:

    per_minute = compose(partial(only, "http.requests"), rate, partial(scale, 60.0), list)

The tools you need are imported below; the README says which function uses which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial, reduce  # noqa: F401
from itertools import accumulate, chain, groupby, islice, pairwise  # noqa: F401
from operator import attrgetter, itemgetter  # noqa: F401
from typing import Any, NamedTuple


class Sample(NamedTuple):
    """One reading of a metric: its name, a time in whole seconds and a value.

    (Already complete.) A NamedTuple cannot be changed: make a new one with
    ``sample._replace(value=...)``.
    """

    metric: str
    timestamp: int
    value: float


def compose(*fns: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Return one function that applies ``fns`` left to right, like a pipeline.

    ``compose(f, g, h)(x)`` is ``h(g(f(x)))``; ``compose()`` is the identity. Use
    ``functools.reduce``: the value so far is the accumulator, each function a step.
    """
    raise NotImplementedError


def only(metric: str, samples: Iterable[Sample]) -> Iterator[Sample]:
    """Lazily keep the samples of ``metric``, in order."""
    raise NotImplementedError


def scale(factor: float, samples: Iterable[Sample]) -> Iterator[Sample]:
    """Lazily multiply every value by ``factor`` (a new Sample each)."""
    raise NotImplementedError


def rate(samples: Iterable[Sample]) -> Iterator[Sample]:
    """Lazily turn a counter's samples into per-second rates between neighbours.

    Each pair of consecutive samples (``itertools.pairwise``) gives one sample: the later
    one, with the value ``increase / seconds between them``. A counter that went down was
    reset (the process restarted and counted up from zero), so its increase is its new
    value. A timestamp that is not larger than the one before raises ValueError
    ``timestamps must increase: 60 then 60`` when the pair is reached. Fewer than two
    samples give no rates.
    """
    raise NotImplementedError


def running_total(samples: Iterable[Sample]) -> Iterator[Sample]:
    """Lazily replace each value by the sum of the values so far (``itertools.accumulate``).

    Each output sample keeps the metric and timestamp of the input sample it stands for.
    """
    raise NotImplementedError


def take(count: int, samples: Iterable[Sample]) -> Iterator[Sample]:
    """Lazily keep the first ``count`` samples (``itertools.islice``).

    A negative count raises ValueError ``count must not be negative, got -1`` at once.
    """
    raise NotImplementedError


def concat(*streams: Iterable[Sample]) -> Iterator[Sample]:
    """Lazily read the streams one after another (``itertools.chain``)."""
    raise NotImplementedError


def totals(samples: Iterable[Sample]) -> dict[str, float]:
    """Return the sum of the values of each metric, its keys in order of name.

    Sort a copy by metric (``operator.attrgetter``), then ``itertools.groupby``. The input
    is left as it was: ``list.sort`` would reorder the caller's list.
    """
    raise NotImplementedError


def top(count: int, values: Mapping[str, float]) -> list[tuple[str, float]]:
    """Return the ``count`` largest ``(name, value)`` items, largest first, ties by name.

    ``operator.itemgetter`` makes the sort keys. ``values`` is not changed.
    """
    raise NotImplementedError


def peak(samples: Iterable[Sample]) -> Sample:
    """Return the sample of the largest value, the earliest on a tie (``functools.reduce``).

    No samples at all raises ValueError.
    """
    raise NotImplementedError


def per_minute(metric: str) -> Callable[[Iterable[Sample]], list[Sample]]:
    """Return a pipeline: the samples of ``metric``, as a rate per minute, in a list.

    Build it from the functions above with ``compose`` and ``functools.partial``.
    """
    raise NotImplementedError
