"""Tests for the single-flight cache.

No test sleeps to let another thread get somewhere. A loader call is held open at a `Gate`
(events) until the test opens it, time comes from a fake clock that moves only when a test
moves it, and every thread is joined with a timeout, so that a hang is a failure rather than
a stuck run.

One thing cannot be seen through events: that another thread has reached the point inside
`get` where it waits for a load in flight. `wait_for_misses` waits for the cache's own miss
counter instead, which `get` counts up before it waits. A correct cache always gets there; the
deadline only turns a cache that never does into a failure, so no outcome depends on how fast
the machine is.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from pygrade_graders.compare import assert_same

from single_flight import CacheStats, SingleFlightCache

# How long a test waits for another thread before it fails. Correct code needs milliseconds.
TIMEOUT = 2.0
# How long a held loader call waits to be let through: longer, so that a test's own wait fails
# first, with its own message (when a test ends, its fixtures open every gate at once).
GATE_TIMEOUT = 3 * TIMEOUT


class FakeClock:
    """A clock for tests: call it to read the time, advance it by hand."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Gate:
    """Holds one call of the loader until the test opens it."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._entered = threading.Event()
        self._opened = threading.Event()
        self._error: Exception | None = None

    def open(self, error: Exception | None = None) -> None:
        """Let the held call finish: return its value, or raise ``error``."""
        if self._opened.is_set():
            return
        self._error = error
        self._opened.set()

    def wait_entered(self, why: str = "") -> None:
        """Wait until the loader has been called for this gate's key."""
        if not self._entered.wait(TIMEOUT):
            pytest.fail(f"the loader was not called for {self.key!r} within {TIMEOUT} s{why}")

    def pass_through(self) -> None:
        """Run by the loader: wait here until the test opens the gate."""
        self._entered.set()
        if not self._opened.wait(GATE_TIMEOUT):
            raise AssertionError(f"the test never opened the gate of {self.key!r}")
        if self._error is not None:
            raise self._error


class Loader:
    """A loader that records its calls and returns ``"<key> v<n>"`` from its n-th call for a key.

    ``hold(key)`` makes the next call for ``key`` wait at a gate, and ``on_call`` runs inside
    every call (to move the clock, say).
    """

    def __init__(self, on_call: Callable[[], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._gates: dict[str, list[Gate]] = {}  # per key, the gates no call has reached yet
        self._every_gate: list[Gate] = []
        self._on_call = on_call
        self.calls: list[str] = []

    def hold(self, key: str) -> Gate:
        gate = Gate(key)
        with self._lock:
            self._gates.setdefault(key, []).append(gate)
            self._every_gate.append(gate)
        return gate

    def fail_next(self, key: str, error: Exception) -> None:
        self.hold(key).open(error)

    def open_all(self) -> None:
        with self._lock:
            gates = list(self._every_gate)
        for gate in gates:
            gate.open()

    def __call__(self, key: str) -> str:
        with self._lock:
            self.calls.append(key)
            number = self.calls.count(key)
            waiting = self._gates.get(key)
            gate = waiting.pop(0) if waiting else None
        if self._on_call is not None:
            self._on_call()
        if gate is not None:
            gate.pass_through()
        return f"{key} v{number}"


class Getter:
    """Calls ``cache.get(key)`` in a thread of its own and keeps what it returned or raised."""

    def __init__(self, cache: SingleFlightCache[str], key: str) -> None:
        self.key = key
        self._value: str | None = None
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, args=(cache,), daemon=True)
        self._thread.start()

    def _run(self, cache: SingleFlightCache[str]) -> None:
        try:
            self._value = cache.get(self.key)
        except Exception as error:
            self._error = error

    def join(self) -> None:
        self._thread.join(TIMEOUT)

    def result(self) -> str:
        """Wait for the call to end; return its value or raise its exception."""
        self.join()
        if self._thread.is_alive():
            pytest.fail(f"get({self.key!r}) was still blocked after {TIMEOUT} s")
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


Spawn = Callable[[SingleFlightCache[str], str], Getter]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def loader() -> Iterator[Loader]:
    made = Loader()
    yield made
    made.open_all()  # a failed test must not leave a thread held at a gate


@pytest.fixture
def spawn(loader: Loader) -> Iterator[Spawn]:
    """Start ``cache.get(key)`` in a new thread; every thread is joined when the test ends."""
    started: list[Getter] = []

    def start(cache: SingleFlightCache[str], key: str) -> Getter:
        getter = Getter(cache, key)
        started.append(getter)
        return getter

    yield start
    loader.open_all()
    for getter in started:
        getter.join()


def wait_for_misses(cache: SingleFlightCache[str], count: int) -> None:
    """Wait until ``count`` calls of ``get`` have missed, so that each one is loading or waiting.

    See the module's docstring: this is the only state the tests poll for.
    """
    deadline = time.monotonic() + TIMEOUT
    while (misses := read_stats(cache).misses) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"expected {count} misses within {TIMEOUT} s, saw {misses}")
        time.sleep(0.001)


def read_stats(cache: SingleFlightCache[str]) -> CacheStats:
    """``cache.stats``, read in a thread of its own, so that a read that blocks fails the test
    with a reason instead of hanging it."""
    read: list[CacheStats] = []
    reader = threading.Thread(target=lambda: read.append(cache.stats), daemon=True)
    reader.start()
    reader.join(TIMEOUT)
    if not read:
        pytest.fail(
            f"cache.stats did not answer within {TIMEOUT} s while a load was in progress:"
            " is a lock held while the loader runs?"
        )
    return read[0]


# --- one thread ------------------------------------------------------------------------------


def test_a_missing_key_is_loaded_once_then_served_from_the_cache(
    loader: Loader, clock: FakeClock
) -> None:
    cache = SingleFlightCache(loader, ttl=60.0, clock=clock)

    assert_same(cache.get("user:1"), "user:1 v1")
    assert_same(cache.get("user:1"), "user:1 v1")
    assert_same(loader.calls, ["user:1"], "the second get should be a hit")


def test_each_key_is_loaded_and_cached_on_its_own(loader: Loader, clock: FakeClock) -> None:
    cache = SingleFlightCache(loader, ttl=60.0, clock=clock)

    values = [cache.get(key) for key in ["a", "b", "a", "b", "c"]]

    assert_same(values, ["a v1", "b v1", "a v1", "b v1", "c v1"])
    assert_same(loader.calls, ["a", "b", "c"])


@pytest.mark.weight(2)
def test_an_entry_expires_exactly_ttl_seconds_after_it_was_stored(
    loader: Loader, clock: FakeClock
) -> None:
    cache = SingleFlightCache(loader, ttl=10.0, clock=clock)
    cache.get("k")  # stored at 100.0, fresh until 110.0

    clock.advance(9.5)
    assert_same(cache.get("k"), "k v1", "at 9.5 s of a 10 s ttl the entry is still fresh")
    clock.advance(0.5)
    assert_same(cache.get("k"), "k v2", "at 10 s of a 10 s ttl the entry has expired")
    clock.advance(9.75)
    assert_same(cache.get("k"), "k v2", "the reloaded entry lives for another ttl")


def test_a_hit_does_not_extend_the_life_of_an_entry(loader: Loader, clock: FakeClock) -> None:
    cache = SingleFlightCache(loader, ttl=10.0, clock=clock)
    cache.get("k")

    clock.advance(8.0)
    assert_same(cache.get("k"), "k v1")
    clock.advance(2.0)
    assert_same(cache.get("k"), "k v2", "the ttl counts from the load, not from the last hit")


def test_the_ttl_counts_from_when_the_load_finished(clock: FakeClock) -> None:
    # A slow load: the clock moves 30 s while the loader runs (from 100.0 to 130.0).
    loader = Loader(on_call=lambda: clock.advance(30.0))
    cache = SingleFlightCache(loader, ttl=10.0, clock=clock)
    cache.get("report")

    clock.advance(9.0)
    assert_same(cache.get("report"), "report v1", "stored at 130.0, the entry is fresh at 139.0")
    clock.advance(1.0)
    assert_same(cache.get("report"), "report v2")


@pytest.mark.parametrize("ttl", [0.0, -5.0, math.nan])
def test_a_ttl_that_is_not_positive_is_rejected(loader: Loader, ttl: float) -> None:
    with pytest.raises(ValueError, match="ttl"):
        SingleFlightCache(loader, ttl=ttl)


def test_the_clock_defaults_to_a_real_monotonic_clock(loader: Loader) -> None:
    cache = SingleFlightCache(loader, ttl=3600.0)

    assert_same([cache.get("k"), cache.get("k")], ["k v1", "k v1"])


def test_the_cached_type_follows_the_loader(clock: FakeClock) -> None:
    lengths = SingleFlightCache(len, ttl=1.0, clock=clock)

    length: int = lengths.get("hello")

    assert_same(length, 5)


def test_invalidate_forgets_one_key_only(loader: Loader, clock: FakeClock) -> None:
    cache = SingleFlightCache(loader, ttl=60.0, clock=clock)
    cache.get("a")
    cache.get("b")

    cache.invalidate("a")
    cache.invalidate("never-loaded")  # nothing to forget: not an error

    assert_same(cache.get("a"), "a v2")
    assert_same(cache.get("b"), "b v1")
    assert_same(cache.get("never-loaded"), "never-loaded v1")


@pytest.mark.weight(2)
def test_a_failed_load_raises_and_is_not_cached(loader: Loader, clock: FakeClock) -> None:
    cache = SingleFlightCache(loader, ttl=60.0, clock=clock)
    loader.fail_next("k", LookupError("database down"))

    with pytest.raises(LookupError, match="database down"):
        cache.get("k")
    assert_same(cache.get("k"), "k v2", "the next get after a failure must try again")
    assert_same(cache.get("k"), "k v2")
    assert_same(cache.stats, CacheStats(hits=1, misses=2, loads=2))


@pytest.mark.weight(2)
def test_stats_count_hits_misses_and_loads(loader: Loader, clock: FakeClock) -> None:
    cache = SingleFlightCache(loader, ttl=10.0, clock=clock)
    assert_same(cache.stats, CacheStats(hits=0, misses=0, loads=0))

    cache.get("a")  # miss, load
    cache.get("a")  # hit
    cache.get("b")  # miss, load
    cache.get("a")  # hit
    clock.advance(10.0)
    cache.get("a")  # expired: miss, load
    cache.invalidate("b")
    cache.get("b")  # miss, load
    cache.get("b")  # hit

    assert_same(cache.stats, CacheStats(hits=3, misses=4, loads=4))


def test_stats_is_a_frozen_snapshot(loader: Loader, clock: FakeClock) -> None:
    cache = SingleFlightCache(loader, ttl=10.0, clock=clock)
    cache.get("a")
    before = cache.stats

    cache.get("a")

    assert_same(before, CacheStats(hits=0, misses=1, loads=1), "an earlier snapshot never changes")
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(before, "hits", 99)  # `before.hits = 99`, which mypy rightly refuses


# --- many threads ----------------------------------------------------------------------------


@pytest.mark.weight(3)
def test_concurrent_gets_of_a_missing_key_share_one_load(
    loader: Loader, clock: FakeClock, spawn: Spawn
) -> None:
    cache = SingleFlightCache(loader, ttl=60.0, clock=clock)
    gate = loader.hold("user:1")
    first = spawn(cache, "user:1")
    gate.wait_entered()

    others = [spawn(cache, "user:1") for _ in range(4)]
    wait_for_misses(cache, 5)  # all five are inside get, the first one loading
    gate.open()

    assert_same([getter.result() for getter in [first, *others]], ["user:1 v1"] * 5)
    assert_same(
        loader.calls, ["user:1"], "gets that arrive during a load must wait for it, not load again"
    )
    assert_same(cache.stats, CacheStats(hits=0, misses=5, loads=1))


@pytest.mark.weight(2)
def test_gets_of_an_expired_key_share_one_reload(
    loader: Loader, clock: FakeClock, spawn: Spawn
) -> None:
    cache = SingleFlightCache(loader, ttl=60.0, clock=clock)
    cache.get("config")
    clock.advance(60.0)
    gate = loader.hold("config")

    getters = [spawn(cache, "config")]
    gate.wait_entered()
    getters += [spawn(cache, "config") for _ in range(3)]
    wait_for_misses(cache, 5)
    gate.open()

    assert_same([getter.result() for getter in getters], ["config v2"] * 4)
    assert_same(loader.calls, ["config", "config"])


@pytest.mark.weight(2)
def test_a_failed_load_raises_in_every_waiting_get_and_is_not_cached(
    loader: Loader, clock: FakeClock, spawn: Spawn
) -> None:
    cache = SingleFlightCache(loader, ttl=60.0, clock=clock)
    gate = loader.hold("k")
    getters = [spawn(cache, "k")]
    gate.wait_entered()
    getters += [spawn(cache, "k") for _ in range(3)]
    wait_for_misses(cache, 4)

    gate.open(LookupError("database down"))

    for getter in getters:
        with pytest.raises(LookupError, match="database down"):
            getter.result()
    assert_same(loader.calls, ["k"], "the waiting gets share the failure, they do not retry")
    assert_same(cache.get("k"), "k v2", "a failure is not cached")


@pytest.mark.weight(3)
def test_loads_of_different_keys_run_at_the_same_time(
    loader: Loader, clock: FakeClock, spawn: Spawn
) -> None:
    cache = SingleFlightCache(loader, ttl=60.0, clock=clock)
    gate_a = loader.hold("a")
    gate_b = loader.hold("b")

    getter_a = spawn(cache, "a")
    gate_a.wait_entered()
    getter_b = spawn(cache, "b")
    gate_b.wait_entered(": its load waited for the load of 'a' (a lock held during the load?)")

    gate_b.open()
    assert_same(getter_b.result(), "b v1", "'b' is ready while 'a' is still loading")
    gate_a.open()
    assert_same(getter_a.result(), "a v1")


@pytest.mark.weight(2)
def test_a_slow_load_does_not_delay_hits_of_other_keys(
    loader: Loader, clock: FakeClock, spawn: Spawn
) -> None:
    cache = SingleFlightCache(loader, ttl=60.0, clock=clock)
    cache.get("cached")
    gate = loader.hold("slow")
    slow = spawn(cache, "slow")
    gate.wait_entered()

    assert_same(spawn(cache, "cached").result(), "cached v1")
    assert_same(cache.stats, CacheStats(hits=1, misses=2, loads=2))
    gate.open()
    assert_same(slow.result(), "slow v1")


@pytest.mark.weight(2)
def test_a_value_loaded_across_an_invalidate_answers_its_waiters_but_is_not_cached(
    loader: Loader, clock: FakeClock, spawn: Spawn
) -> None:
    cache = SingleFlightCache(loader, ttl=60.0, clock=clock)
    gate = loader.hold("price")
    getters = [spawn(cache, "price")]
    gate.wait_entered()
    getters.append(spawn(cache, "price"))
    wait_for_misses(cache, 2)

    cache.invalidate("price")  # the price changed while the old one was being read
    gate.open()

    assert_same([getter.result() for getter in getters], ["price v1", "price v1"])
    assert_same(cache.get("price"), "price v2", "a value loaded before an invalidate is stale")


@pytest.mark.weight(2)
def test_a_get_after_an_invalidate_starts_a_new_load_that_the_old_one_leaves_alone(
    loader: Loader, clock: FakeClock, spawn: Spawn
) -> None:
    cache = SingleFlightCache(loader, ttl=60.0, clock=clock)
    old_gate = loader.hold("price")
    old = spawn(cache, "price")
    old_gate.wait_entered()
    cache.invalidate("price")

    new_gate = loader.hold("price")
    new = spawn(cache, "price")
    new_gate.wait_entered(": a get after invalidate must not wait for the stale load")

    old_gate.open()  # the stale load ends first ...
    assert_same(old.result(), "price v1")
    late = spawn(cache, "price")  # ... and must neither be cached nor end the new load's turn
    wait_for_misses(cache, 3)
    new_gate.open()

    assert_same([new.result(), late.result(), cache.get("price")], ["price v2"] * 3)
    assert_same(loader.calls, ["price", "price"])
    assert_same(cache.stats, CacheStats(hits=1, misses=3, loads=2))


@pytest.mark.weight(2)
def test_many_threads_on_a_few_keys_load_each_key_once(loader: Loader, clock: FakeClock) -> None:
    cache = SingleFlightCache(loader, ttl=60.0, clock=clock)
    keys = ["a", "b", "c", "d"]
    threads, rounds = 8, 200
    start = threading.Barrier(threads, timeout=TIMEOUT)
    errors: list[BaseException] = []

    def hammer(offset: int) -> None:
        try:
            start.wait()
            for i in range(rounds):
                key = keys[(offset + i) % len(keys)]
                assert cache.get(key) == f"{key} v1"
        except BaseException as error:
            errors.append(error)

    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to provoke races
    try:
        workers = [threading.Thread(target=hammer, args=(n,), daemon=True) for n in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(TIMEOUT)
    finally:
        sys.setswitchinterval(switch_interval)

    assert not any(worker.is_alive() for worker in workers), "a thread is still blocked in get"
    assert_same(errors, [])
    assert_same(sorted(loader.calls), keys, "each key must be loaded exactly once")
    stats = cache.stats
    assert_same(stats.loads, 4)
    assert_same(stats.hits + stats.misses, threads * rounds, "every get is one hit or one miss")
