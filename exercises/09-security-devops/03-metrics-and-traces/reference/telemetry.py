"""In-process telemetry for a service: Prometheus metrics and trace spans.

Metrics answer "how many, how often, how slow" for all requests together, cheaply enough to
keep forever; a Prometheus server scrapes ``Registry.render()`` from a ``/metrics`` endpoint.
Traces answer "where did *this* request spend its time": each ``with tracer.span(...)`` block
records a span, and spans opened inside it become its children.

The tracer's clock and ids are injected, so that tests can fix them.
"""

from __future__ import annotations

import bisect
import contextvars
import math
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

# --- metrics -------------------------------------------------------------------------------------

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def _format_value(value: float) -> str:
    """A sample value as the exposition format writes it: ``3``, ``0.25``, ``+Inf``."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer():
        return str(int(value))
    return repr(value)


def _escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _format_labels(pairs: Iterable[tuple[str, str]]) -> str:
    inside = ",".join(f'{name}="{_escape_label_value(value)}"' for name, value in pairs)
    return f"{{{inside}}}" if inside else ""


class _Metric:
    """What every metric has: a name, a help text, label names, and one series per label set."""

    kind = ""

    def __init__(self, name: str, help: str, labels: Sequence[str]) -> None:
        if not _METRIC_NAME.fullmatch(name):
            raise ValueError(f"invalid metric name {name!r}")
        for label in labels:
            if not _LABEL_NAME.fullmatch(label) or label.startswith("__"):
                raise ValueError(f"{name}: invalid label name {label!r}")
        if len(set(labels)) != len(labels):
            raise ValueError(f"{name}: a label name is repeated in {list(labels)}")
        self.name = name
        self.help = help
        # Series are keyed by their label values in the order of the sorted label names, which is
        # also the order in which they are written.
        self._label_names = tuple(sorted(labels))
        self._lock = threading.Lock()

    def _series_key(self, labels: Mapping[str, str]) -> tuple[str, ...]:
        """The label values of one series; ValueError unless ``labels`` names each label once."""
        if set(labels) != set(self._label_names):
            unknown = sorted(set(labels) - set(self._label_names))
            missing = sorted(set(self._label_names) - set(labels))
            raise ValueError(f"{self.name}: unknown labels {unknown}, missing labels {missing}")
        return tuple(labels[name] for name in self._label_names)

    def _labelled(self, key: tuple[str, ...]) -> list[tuple[str, str]]:
        return list(zip(self._label_names, key))

    def render(self) -> list[str]:
        """The metric's lines in the exposition format: HELP, TYPE, then its samples."""
        header = [
            f"# HELP {self.name} {_escape_help(self.help)}",
            f"# TYPE {self.name} {self.kind}",
        ]
        with self._lock:
            return header + self._samples()

    def _samples(self) -> list[str]:
        raise NotImplementedError


class Counter(_Metric):
    """A total that only goes up: requests served, bytes sent, errors."""

    kind = "counter"

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help, labels)
        # A metric without labels has its one series from the start, at 0.
        self._values: dict[tuple[str, ...], float] = {} if labels else {(): 0.0}

    def inc(self, amount: float = 1, /, **labels: str) -> None:
        """Add ``amount`` (0 or more) to the series of ``labels``, which must name every label."""
        if not amount >= 0:  # also refuses NaN
            raise ValueError(f"{self.name}: a counter only goes up, got {amount!r}")
        key = self._series_key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def _samples(self) -> list[str]:
        return [
            f"{self.name}{_format_labels(self._labelled(key))} {_format_value(value)}"
            for key, value in sorted(self._values.items())
        ]


class _Distribution:
    """One series of a histogram: how many observations fell in each bucket, and their sum."""

    def __init__(self, buckets: int) -> None:
        self.counts = [0] * (buckets + 1)  # the last one is +Inf
        self.total = 0.0


class Histogram(_Metric):
    """A distribution of observed values, such as request durations, counted in buckets."""

    kind = "histogram"

    def __init__(
        self, name: str, help: str, buckets: Sequence[float], labels: Sequence[str] = ()
    ) -> None:
        super().__init__(name, help, labels)
        if "le" in labels:
            raise ValueError(f"{name}: 'le' is reserved for the bucket bounds of a histogram")
        bounds = [float(bound) for bound in buckets]
        if bounds and bounds[-1] == math.inf:
            bounds.pop()  # +Inf is always there
        if not all(math.isfinite(bound) for bound in bounds) or any(
            low >= high for low, high in zip(bounds, bounds[1:])
        ):
            raise ValueError(f"{name}: buckets must be finite and strictly increasing: {buckets}")
        self._bounds = tuple(bounds)
        self._series: dict[tuple[str, ...], _Distribution] = (
            {} if labels else {(): _Distribution(len(bounds))}
        )

    def observe(self, value: float, /, **labels: str) -> None:
        """Count ``value`` in the series of ``labels``, which must name every label."""
        if math.isnan(value):
            raise ValueError(f"{self.name}: cannot observe NaN")
        key = self._series_key(labels)
        with self._lock:
            series = self._series.setdefault(key, _Distribution(len(self._bounds)))
            # The first bucket whose bound is >= value: buckets are "less than or equal".
            series.counts[bisect.bisect_left(self._bounds, value)] += 1
            series.total += value

    def _samples(self) -> list[str]:
        lines = []
        for key, series in sorted(self._series.items()):
            labelled = self._labelled(key)
            cumulative = 0
            for bound, count in zip([*self._bounds, math.inf], series.counts):
                cumulative += count
                le = _format_labels([*labelled, ("le", _format_value(bound))])
                lines.append(f"{self.name}_bucket{le} {cumulative}")
            labels = _format_labels(labelled)
            lines.append(f"{self.name}_sum{labels} {_format_value(series.total)}")
            lines.append(f"{self.name}_count{labels} {cumulative}")
        return lines


M = TypeVar("M", bound=_Metric)


class Registry:
    """The metrics of one process, rendered together for Prometheus to scrape."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._metrics: dict[str, _Metric] = {}

    def counter(self, name: str, help: str, labels: Sequence[str] = ()) -> Counter:
        """Register and return a new counter. ValueError for a bad or taken name."""
        return self._register(Counter(name, help, labels))

    def histogram(
        self, name: str, help: str, buckets: Sequence[float], labels: Sequence[str] = ()
    ) -> Histogram:
        """Register and return a new histogram with these bucket upper bounds (+Inf is added)."""
        return self._register(Histogram(name, help, buckets, labels))

    def _register(self, metric: M) -> M:
        with self._lock:
            if metric.name in self._metrics:
                raise ValueError(f"a metric named {metric.name!r} is already registered")
            self._metrics[metric.name] = metric
        return metric

    def render(self) -> str:
        """Every metric in the Prometheus text exposition format, sorted by name."""
        with self._lock:
            metrics = sorted(self._metrics.items())
        return "".join(f"{line}\n" for _, metric in metrics for line in metric.render())


# --- traces --------------------------------------------------------------------------------------

AttributeValue = str | int | float | bool


@dataclass(frozen=True)
class Span:
    """A finished span: one timed operation of a trace."""

    name: str
    trace_id: str
    span_id: str
    parent_id: str | None
    start: float
    end: float
    attributes: dict[str, AttributeValue]
    status: str  # "ok" or "error"
    error: str | None  # the exception's type name, when status is "error"

    @property
    def duration(self) -> float:
        return self.end - self.start


class ActiveSpan:
    """The span of a ``with tracer.span(...)`` block that is still running."""

    def __init__(
        self,
        name: str,
        trace_id: str,
        span_id: str,
        parent_id: str | None,
        attributes: dict[str, AttributeValue],
    ) -> None:
        self.name = name
        self.trace_id = trace_id
        self.span_id = span_id
        self.parent_id = parent_id
        self.attributes = attributes

    def set_attribute(self, key: str, value: AttributeValue) -> None:
        """Record something learned during the operation, such as a row count."""
        self.attributes[key] = value


def _random_id() -> str:
    return secrets.token_hex(8)


class Tracer:
    """Records spans. The span a block opens is the parent of the spans opened inside it."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        id_source: Callable[[], str] = _random_id,
    ) -> None:
        self._clock = clock
        self._new_id = id_source
        # The innermost open span, per thread and per asyncio task: each starts from the context
        # it was created in, so concurrent requests never see each other's spans.
        self._current: contextvars.ContextVar[ActiveSpan | None] = contextvars.ContextVar(
            "current_span", default=None
        )
        self._lock = threading.Lock()
        self._finished: list[Span] = []

    @contextmanager
    def span(self, name: str, /, **attributes: AttributeValue) -> Iterator[ActiveSpan]:
        """Record the block as a span named ``name``, the child of the enclosing span if any.

        A root span draws a new trace id, then its span id, from ``id_source``; a child draws
        only its span id. If the block raises, the span's status is "error", with the
        exception's type name, and the exception propagates.
        """
        parent = self._current.get()
        trace_id = parent.trace_id if parent is not None else self._new_id()
        active = ActiveSpan(
            name,
            trace_id,
            self._new_id(),
            parent.span_id if parent is not None else None,
            dict(attributes),
        )
        start = self._clock()
        token = self._current.set(active)
        status, error = "ok", None
        try:
            yield active
        except BaseException as exc:
            status, error = "error", type(exc).__name__
            raise
        finally:
            self._current.reset(token)
            finished = Span(
                name=active.name,
                trace_id=active.trace_id,
                span_id=active.span_id,
                parent_id=active.parent_id,
                start=start,
                end=self._clock(),
                attributes=dict(active.attributes),
                status=status,
                error=error,
            )
            with self._lock:
                self._finished.append(finished)

    def finished_spans(self) -> list[Span]:
        """The spans recorded so far, in the order they ended (children before parents)."""
        with self._lock:
            return list(self._finished)
