"""A circuit breaker around a flaky dependency, with metrics and state-change events.

While the dependency fails too often, the breaker *opens* and refuses calls at once instead
of letting every request wait for a timeout; after a cool-down it lets one trial call
through, and closes again when that call succeeds.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

EVENT = "circuit_state_change"


class State(enum.Enum):
    """The breaker's states; ``gauge`` is the number the state metric reports."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"

    @property
    def gauge(self) -> int:
        """0 for closed, 1 for open, 2 for half-open."""
        return _GAUGES[self]


_GAUGES = {State.CLOSED: 0, State.OPEN: 1, State.HALF_OPEN: 2}


class CircuitOpenError(Exception):
    """A call refused because the breaker is open, or its trial call is under way."""

    def __init__(self, name: str, retry_after: float) -> None:
        super().__init__(f"circuit {name!r} is open: retry in {retry_after:.1f}s")
        self.name = name
        self.retry_after = retry_after


@dataclass(frozen=True)
class Metrics:
    """Counters since the breaker was made, and the state as a gauge."""

    calls: int
    successes: int
    failures: int
    rejections: int
    state: int


class CircuitBreaker:
    """Open after too many failures in a time window; try one call after a cool-down."""

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
        if not 0 < failure_threshold <= 1:
            raise ValueError(f"failure_threshold must be in (0, 1], got {failure_threshold}")
        if not window > 0:
            raise ValueError(f"window must be positive, got {window}")
        if min_calls < 1:
            raise ValueError(f"min_calls must be at least 1, got {min_calls}")
        if not cooldown > 0:
            raise ValueError(f"cooldown must be positive, got {cooldown}")
        self.name = name
        self._threshold = failure_threshold
        self._window = window
        self._min_calls = min_calls
        self._cooldown = cooldown
        self._clock = clock
        self._logger = logger or logging.getLogger("circuit_breaker")
        self._lock = threading.Lock()
        self._state = State.CLOSED
        self._outcomes: deque[tuple[float, bool]] = deque()  # (when, failed), oldest first
        self._opened_at = 0.0
        self._trial_running = False
        self._calls = self._successes = self._failures = self._rejections = 0

    @property
    def state(self) -> State:
        """The state now; an open breaker whose cool-down is over is half-open."""
        with self._lock:
            self._refresh(self._clock())
            return self._state

    def metrics(self) -> Metrics:
        """A snapshot of the counters and the state gauge."""
        with self._lock:
            self._refresh(self._clock())
            return Metrics(
                self._calls, self._successes, self._failures, self._rejections, self._state.gauge
            )

    def call(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Call ``fn(*args, **kwargs)`` through the breaker and return what it returns.

        Raises:
            CircuitOpenError: the breaker is open, or half-open with its trial under way.
            Whatever ``fn`` raises, after counting it as a failure (an ``Exception``).
        """
        trial = self._admit()
        verdict: bool | None = None  # None: fn ended with neither success nor failure
        try:
            result = fn(*args, **kwargs)
        except Exception:
            verdict = False
            raise
        else:
            verdict = True
            return result
        finally:
            self._finish(trial, verdict)

    def _admit(self) -> bool:
        """Let a call through, or raise CircuitOpenError; True for the half-open trial."""
        with self._lock:
            now = self._clock()
            self._refresh(now)
            if self._state is State.OPEN:
                self._rejections += 1
                raise CircuitOpenError(self.name, self._opened_at + self._cooldown - now)
            if self._state is State.HALF_OPEN:
                if self._trial_running:
                    self._rejections += 1
                    raise CircuitOpenError(self.name, 0.0)
                self._trial_running = True
            self._calls += 1
            return self._state is State.HALF_OPEN

    def _finish(self, trial: bool, verdict: bool | None) -> None:
        with self._lock:
            now = self._clock()
            if verdict is True:
                self._successes += 1
            elif verdict is False:
                self._failures += 1
            if trial:
                self._trial_running = False
                if verdict is not None:
                    self._move(State.CLOSED if verdict else State.OPEN, now)
            elif verdict is not None and self._state is State.CLOSED:
                self._outcomes.append((now, not verdict))
                self._forget_old(now)
                if self._too_many_failures():
                    self._move(State.OPEN, now)

    def _refresh(self, now: float) -> None:
        if self._state is State.OPEN and now >= self._opened_at + self._cooldown:
            self._move(State.HALF_OPEN, now)

    def _forget_old(self, now: float) -> None:
        while self._outcomes and now - self._outcomes[0][0] >= self._window:
            self._outcomes.popleft()

    def _too_many_failures(self) -> bool:
        total = len(self._outcomes)
        failed = sum(1 for _, failure in self._outcomes if failure)
        return total >= self._min_calls and failed >= self._threshold * total

    def _move(self, new: State, now: float) -> None:
        old, self._state = self._state, new
        if new is State.OPEN:
            self._opened_at = now
        self._outcomes.clear()
        self._logger.log(
            logging.WARNING if new is State.OPEN else logging.INFO,
            "circuit %s: %s -> %s",
            self.name,
            old.value,
            new.value,
            extra={
                "event": EVENT,
                "breaker": self.name,
                "from_state": old.value,
                "to_state": new.value,
                "at": now,
            },
        )
