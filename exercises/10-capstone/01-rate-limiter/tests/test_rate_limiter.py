"""Tests for the token-bucket rate limiter.

Time is simulated with a fake clock that only moves when a test says so, so
nothing here sleeps or depends on how fast the machine is. Rates and time steps
are powers of two, so the arithmetic is exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from pygrade_graders.compare import assert_same

from rate_limiter import KeyedRateLimiter, RateLimiter


class FakeClock:
    """A clock for tests: call it to read the time, advance it by hand."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def drain(limiter: RateLimiter, capacity: int) -> None:
    """Empty a full bucket."""
    assert_same(limiter.try_acquire(capacity), True, "a new bucket should start full")


# --- one bucket ---------------------------------------------------------------


def test_a_new_bucket_allows_a_burst_up_to_capacity(clock: FakeClock) -> None:
    limiter = RateLimiter(rate=1.0, capacity=3, clock=clock)

    assert_same([limiter.try_acquire() for _ in range(4)], [True, True, True, False])


def test_a_refused_request_takes_no_tokens(clock: FakeClock) -> None:
    limiter = RateLimiter(rate=1.0, capacity=5, clock=clock)

    assert_same(limiter.try_acquire(3), True)
    assert_same(limiter.try_acquire(3), False, "only 2 tokens are left")
    assert_same(
        limiter.try_acquire(2), True, "the refused request must not have spent the 2 tokens"
    )


@pytest.mark.weight(2)
def test_tokens_refill_at_the_configured_rate(clock: FakeClock) -> None:
    limiter = RateLimiter(rate=2.0, capacity=4, clock=clock)
    drain(limiter, 4)

    clock.advance(0.25)
    assert_same(
        limiter.try_acquire(), False, "after 0.25 s at 2 tokens/s only half a token is back"
    )
    clock.advance(0.25)
    assert_same(limiter.try_acquire(), True, "after 0.5 s at 2 tokens/s one token is back")
    assert_same(limiter.try_acquire(), False)

    clock.advance(1.0)
    assert_same(limiter.try_acquire(2), True)
    assert_same(limiter.try_acquire(), False)


@pytest.mark.weight(2)
def test_refill_never_exceeds_capacity(clock: FakeClock) -> None:
    limiter = RateLimiter(rate=4.0, capacity=3, clock=clock)
    drain(limiter, 3)

    clock.advance(1000.0)

    assert_same(
        [limiter.try_acquire() for _ in range(4)],
        [True, True, True, False],
        "a bucket idle for a long time must hold no more than `capacity` tokens",
    )


def test_wait_time_is_zero_when_tokens_are_available_and_spends_nothing(clock: FakeClock) -> None:
    limiter = RateLimiter(rate=1.0, capacity=2, clock=clock)

    assert_same(limiter.wait_time(), 0.0)
    assert_same(limiter.wait_time(2), 0.0)
    assert_same(limiter.try_acquire(2), True, "wait_time must not take tokens")


@pytest.mark.weight(2)
@pytest.mark.parametrize("tokens", [1, 2, 3, 4])
def test_wait_time_is_how_long_until_try_acquire_succeeds(clock: FakeClock, tokens: int) -> None:
    limiter = RateLimiter(rate=4.0, capacity=4, clock=clock)
    drain(limiter, 4)
    clock.advance(0.125)  # half a token is back

    wait = limiter.wait_time(tokens)

    assert_same(wait, (tokens - 0.5) / 4.0, approx=1e-9)
    clock.advance(wait)
    assert_same(limiter.try_acquire(tokens), True)


@pytest.mark.parametrize(
    ("rate", "capacity", "mentions"),
    [
        (0.0, 5, "rate"),
        (-1.5, 5, "rate"),
        (math.nan, 5, "rate"),
        (math.inf, 5, "rate"),
        (1.0, 0, "capacity"),
        (1.0, -3, "capacity"),
    ],
)
@pytest.mark.parametrize("limiter_class", [RateLimiter, KeyedRateLimiter])
def test_invalid_settings_are_rejected_with_a_clear_message(
    limiter_class: Callable[[float, int], object], rate: float, capacity: int, mentions: str
) -> None:
    with pytest.raises(ValueError, match=mentions):
        limiter_class(rate, capacity)


@pytest.mark.parametrize("tokens", [0, -1, 6])
def test_token_counts_outside_one_to_capacity_are_rejected(clock: FakeClock, tokens: int) -> None:
    limiter = RateLimiter(rate=1.0, capacity=5, clock=clock)
    keyed = KeyedRateLimiter(rate=1.0, capacity=5, clock=clock)

    with pytest.raises(ValueError, match="tokens"):
        limiter.try_acquire(tokens)
    with pytest.raises(ValueError, match="tokens"):
        limiter.wait_time(tokens)
    with pytest.raises(ValueError, match="tokens"):
        keyed.try_acquire("alice", tokens)
    assert_same(limiter.try_acquire(5), True, "a rejected call must not spend tokens")


# --- one bucket per key -------------------------------------------------------


@pytest.mark.weight(2)
def test_each_key_has_its_own_bucket(clock: FakeClock) -> None:
    limiter = KeyedRateLimiter(rate=1.0, capacity=2, clock=clock)

    assert_same(limiter.try_acquire("alice", 2), True)
    assert_same(limiter.try_acquire("alice"), False)
    assert_same(limiter.wait_time("alice"), 1.0, approx=1e-9)

    assert_same(limiter.wait_time("bob"), 0.0, "bob has not spent anything")
    assert_same(
        limiter.try_acquire("bob", 2), True, "alice's requests must not use up bob's tokens"
    )
    assert_same(len(limiter), 2)


@pytest.mark.weight(2)
def test_evict_idle_forgets_only_keys_idle_for_the_timeout(clock: FakeClock) -> None:
    limiter = KeyedRateLimiter(rate=1.0, capacity=2, clock=clock, idle_timeout=10.0)
    limiter.try_acquire("alice")
    clock.advance(6.0)
    limiter.try_acquire("bob")

    clock.advance(3.0)  # alice idle for 9 s, bob for 3 s
    assert_same(limiter.evict_idle(), 0)
    clock.advance(1.0)  # alice idle for 10 s, bob for 4 s
    assert_same(limiter.evict_idle(), 1)

    assert "alice" not in limiter
    assert "bob" in limiter
    assert_same(len(limiter), 1)


@pytest.mark.weight(2)
def test_eviction_can_never_hand_out_free_tokens(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="idle_timeout"):
        KeyedRateLimiter(rate=1.0, capacity=10, clock=clock, idle_timeout=5.0)

    # By default a key is evicted once its bucket would be full again anyway.
    limiter = KeyedRateLimiter(rate=2.0, capacity=4, clock=clock)
    assert_same(limiter.try_acquire("alice", 4), True)
    clock.advance(1.5)  # 3 of 4 tokens are back: too early to forget alice
    assert_same(limiter.evict_idle(), 0)
    clock.advance(0.5)  # 4 / 2.0 = 2 s: the bucket is full again
    assert_same(limiter.evict_idle(), 1)


@pytest.mark.parametrize(
    "documented",
    [
        RateLimiter,
        RateLimiter.try_acquire,
        RateLimiter.wait_time,
        KeyedRateLimiter,
        KeyedRateLimiter.try_acquire,
        KeyedRateLimiter.wait_time,
        KeyedRateLimiter.evict_idle,
    ],
    ids=lambda obj: obj.__qualname__,
)
def test_public_api_has_docstrings(documented: object) -> None:
    doc = getattr(documented, "__doc__", None)
    assert type(doc) is str and doc.strip(), "every public class and method needs a docstring"
