"""In-process telemetry for a service: Prometheus metrics and trace spans.

Metrics answer "how many, how often, how slow" for all requests together, cheaply enough to
keep forever; a Prometheus server scrapes ``Registry.render()`` from a ``/metrics`` endpoint.
Traces answer "where did *this* request spend its time": each ``with tracer.span(...)`` block
records a span, and spans opened inside it become its children.

The tracer's clock and ids are injected, so that tests can fix them.
"""

from __future__ import annotations

import contextvars
import math
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

# --- metrics -------------------------------------------------------------------------------------


class Counter:
    """A total that only goes up: requests served, bytes sent, errors."""

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        """A counter named ``name``, whose series are told apart by the label names ``labels``.

        ValueError for an invalid metric name (``[a-zA-Z_:][a-zA-Z0-9_:]*``) or label name
        (``[a-zA-Z_][a-zA-Z0-9_]*``, not starting with ``__``).
        """
        raise NotImplementedError

    def inc(self, amount: float = 1, /, **labels: str) -> None:
        """Add ``amount`` to the series of ``labels``.

        ValueError if ``amount`` is negative or NaN, or if ``labels`` does not name exactly the
        declared labels (none missing, none unknown). A refused call changes nothing.
        """
        raise NotImplementedError


class Histogram:
    """A distribution of observed values, such as request durations, counted in buckets."""

    def __init__(
        self, name: str, help: str, buckets: Sequence[float], labels: Sequence[str] = ()
    ) -> None:
        """A histogram whose buckets have the upper bounds ``buckets``, plus ``+Inf``.

        ValueError for invalid names (as for Counter), for a label named ``le``, and for bounds
        that are not finite and strictly increasing (a last bound of ``math.inf`` is allowed:
        it is the ``+Inf`` bucket, which is always there).
        """
        raise NotImplementedError

    def observe(self, value: float, /, **labels: str) -> None:
        """Count ``value`` in every bucket whose bound is >= ``value``, and in the sum and count.

        ValueError for NaN and for labels that are not exactly the declared ones.
        """
        raise NotImplementedError


class Registry:
    """The metrics of one process, rendered together for Prometheus to scrape."""

    def __init__(self) -> None:
        raise NotImplementedError

    def counter(self, name: str, help: str, labels: Sequence[str] = ()) -> Counter:
        """Register and return a new counter. ValueError if the name is already registered."""
        raise NotImplementedError

    def histogram(
        self, name: str, help: str, buckets: Sequence[float], labels: Sequence[str] = ()
    ) -> Histogram:
        """Register and return a new histogram. ValueError if the name is already registered."""
        raise NotImplementedError

    def render(self) -> str:
        """Every metric in the Prometheus text exposition format, sorted by name.

        See the README for the exact format.
        """
        raise NotImplementedError


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
        """Read times only from ``clock`` and take every id from ``id_source``."""
        raise NotImplementedError

    @contextmanager
    def span(self, name: str, /, **attributes: AttributeValue) -> Iterator[ActiveSpan]:
        """Record the block as a span named ``name``, the child of the enclosing span if any.

        - "Enclosing" is per thread and per asyncio task: use a ``contextvars.ContextVar``.
        - A root span draws a new trace id, then its span id, from ``id_source``; a child keeps
          its parent's trace id and draws only its span id.
        - ``start`` is read from the clock when the block starts, ``end`` when it ends.
        - Yields an ``ActiveSpan`` (for ``set_attribute``); the finished ``Span`` gets a copy
          of its attributes.
        - If the block raises, the span's status is "error" and ``error`` is the exception's
          type name (``"KeyError"``); the exception propagates. Otherwise status is "ok".
        """
        raise NotImplementedError

    def finished_spans(self) -> list[Span]:
        """The spans recorded so far, in the order they ended (children before parents)."""
        raise NotImplementedError
