"""A circuit breaker around a flaky dependency, with metrics and state-change events.

While the dependency fails too often, the breaker *opens* and refuses calls at once instead
of letting every request wait for a timeout; after a cool-down it lets one trial call
through, and closes again when that call succeeds.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

EVENT = "circuit_state_change"


class State(enum.Enum):
    """The breaker's states."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"

    @property
    def gauge(self) -> int:
        """The number the state metric reports: 0 for closed, 1 for open, 2 for half-open."""
        raise NotImplementedError


class CircuitOpenError(Exception):
    """A call refused because the breaker is open, or its trial call is under way."""

    def __init__(self, name: str, retry_after: float) -> None:
        """Keep ``name`` and ``retry_after`` (seconds until a trial may run).

        The message is ``circuit 'payments' is open: retry in 17.5s`` (one decimal).
        """
        raise NotImplementedError


@dataclass(frozen=True)
class Metrics:
    """Counters since the breaker was made, and the state as a gauge."""

    calls: int  # calls the breaker let through to the dependency
    successes: int  # of those, the ones that returned
    failures: int  # of those, the ones that raised an Exception
    rejections: int  # calls refused with CircuitOpenError
    state: int  # State.gauge


class CircuitBreaker:
    """Open after too many failures in a time window; try one call after a cool-down.

    **Closed** (the start): calls go through. Each call that returns is a success, each
    that raises an ``Exception`` a failure (raised on to the caller unchanged). An
    exception that is no ``Exception`` (``KeyboardInterrupt``) is raised on and counts
    as neither. After each outcome, the breaker looks at the outcomes of the last
    ``window`` seconds (an outcome exactly ``window`` seconds old is out): when there are
    at least ``min_calls`` and the share of failures is at least ``failure_threshold``,
    it opens.

    **Open**: calls are refused with ``CircuitOpenError`` without calling anything; its
    ``retry_after`` is the time left of the cool-down, which starts when the call that
    opened the breaker ended. Once ``cooldown`` seconds have passed, the breaker is
    half-open: it moves when it is next used or asked for its state or metrics.

    **Half-open**: the first call is the trial; calls while it runs are refused with a
    ``retry_after`` of 0. A trial that succeeds closes the breaker, one that fails opens
    it for a new cool-down; one ended by an exception that is no ``Exception`` leaves it
    half-open for the next trial. Every move starts a fresh window: older outcomes no
    longer count.

    Each move is logged to ``logger`` (by default the logger ``"circuit_breaker"``) as
    ``"circuit %s: %s -> %s"`` with the name and the two states' values, at WARNING when
    the breaker opens and at INFO otherwise, with the structured fields
    ``extra={"event": EVENT, "breaker": name, "from_state": "closed", "to_state": "open",
    "at": <the clock's time>}``.

    The time is read only from ``clock``. The breaker is safe to use from many threads.

    Raises:
        ValueError: naming the option, unless ``0 < failure_threshold <= 1``,
            ``window > 0``, ``min_calls >= 1`` and ``cooldown > 0``.
    """

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: float = 0.5,
        window: float = 60.0,
        min_calls: int = 5,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        logger: logging.Logger | None = None,
    ) -> None:
        raise NotImplementedError

    @property
    def state(self) -> State:
        """The state now; an open breaker whose cool-down is over is half-open."""
        raise NotImplementedError

    def metrics(self) -> Metrics:
        """A snapshot of the counters and the state gauge."""
        raise NotImplementedError

    def call(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Call ``fn(*args, **kwargs)`` through the breaker and return what it returns.

        Raises:
            CircuitOpenError: the breaker is open, or half-open with its trial under way.
            Whatever ``fn`` raises.
        """
        raise NotImplementedError
