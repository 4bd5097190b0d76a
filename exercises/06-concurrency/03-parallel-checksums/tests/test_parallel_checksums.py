"""Tests for checksums.checksum_all.

A pool pickles the function it runs by name, so every function handed to `checksum_all`
here is defined at module level. To see where a call ran, a worker function returns
`os.getpid()`. To make calls meet in two processes at once, they wait at a
`multiprocessing.Barrier` that the workers inherit: these tests pass `mp_context=FORK`, so
the workers are forked from this process and see the barrier a fixture made. Every barrier
has a timeout, so that a solution that never runs two calls at once fails instead of
hanging. No test depends on how fast anything runs.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import threading
import zlib
from collections.abc import Iterator
from multiprocessing.queues import SimpleQueue
from multiprocessing.synchronize import Barrier, Event

import pytest
from pygrade_graders.compare import assert_same

from checksums import MIN_PARALLEL, ChecksumError, checksum_all

FORK = multiprocessing.get_context("fork")

# How long a barrier waits for the other process. Correct code needs milliseconds.
MEET_TIMEOUT = 5.0


def blobs_of(count: int, seed: int = 7) -> list[bytes]:
    """`count` blobs of different lengths, the same ones for the same seed."""
    rng = random.Random(seed)
    return [rng.randbytes(rng.randrange(0, 300)) for _ in range(count)]


# --- worker functions (module level, so that a pool can pickle them) ----------------------


def where(blob: bytes) -> int:
    """The process that ran this call."""
    return os.getpid()


_barrier: Barrier | None = None


def meet(blob: bytes) -> int:
    """Wait until another process reaches the barrier too, then say where this call ran."""
    assert _barrier is not None, "the barrier fixture makes it before the pool starts"
    _barrier.wait()
    return os.getpid()


@pytest.fixture
def barrier() -> Iterator[Barrier]:
    """A barrier for two processes, made before `checksum_all` forks its workers."""
    global _barrier
    _barrier = FORK.Barrier(2, timeout=MEET_TIMEOUT)
    yield _barrier
    _barrier = None


class CorruptBlob(Exception):
    pass


def strict(blob: bytes) -> int:
    """Like `checksum`, but a blob that starts with b"BAD" is corrupt."""
    if blob.startswith(b"BAD"):
        raise CorruptBlob(f"bad header {blob[:6]!r}")
    return zlib.adler32(blob)


_forked_here = False


def forked_from_here(blob: bytes) -> bool:
    """True in this process, and in a child forked from it after the flag was set."""
    return _forked_here


_released: Event | None = None


def first_waits(blob: bytes) -> int:
    """Blob b"first" waits until blob b"release" has run, in the other worker."""
    assert _released is not None, "the test makes the event before the pool starts"
    if blob == b"first":
        assert _released.wait(MEET_TIMEOUT), "b'release' never ran while b'first' waited"
    elif blob == b"release":
        _released.set()
    return zlib.adler32(blob)


_seen: SimpleQueue[int] | None = None


def noted(blob: bytes) -> int:
    """`strict`, after noting on a queue the process it ran in."""
    assert _seen is not None, "the test makes the queue before the pool starts"
    _seen.put(os.getpid())
    return strict(blob)


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    return True


# --- results -----------------------------------------------------------------------------


EDGE_BLOBS = [b"", b"a", b"Wikipedia", bytes(range(256)), b"\xff" * 6000, random.Random(3).randbytes(9000)]


@pytest.mark.parametrize("min_parallel", [1, 100], ids=["pool", "in-process"])
def test_the_default_checksum_is_adler32(min_parallel: int) -> None:
    got = checksum_all(EDGE_BLOBS, min_parallel=min_parallel, mp_context=FORK)
    assert_same(got, [zlib.adler32(blob) for blob in EDGE_BLOBS])


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("workers", "chunksize"), [(2, 1), (2, 3), (2, 7), (2, 50), (1, 4)]
)
def test_returns_every_checksum_in_input_order(workers: int, chunksize: int) -> None:
    blobs = blobs_of(20)

    got = checksum_all(blobs, workers=workers, chunksize=chunksize, min_parallel=1, mp_context=FORK)

    assert_same(got, [zlib.adler32(blob) for blob in blobs])


@pytest.mark.weight(2)
def test_results_keep_input_order_when_the_first_finishes_last() -> None:
    # One worker holds b"first" until the other worker has finished b"second" and then run
    # b"release": b"second" is always done before b"first".
    global _released
    _released = FORK.Event()
    blobs = [b"first", b"second", b"release", b"later", b"last"]
    try:
        got = checksum_all(blobs, workers=2, min_parallel=1, fn=first_waits, mp_context=FORK)
    finally:
        _released = None

    assert_same(got, [zlib.adler32(blob) for blob in blobs])


def test_defaults_to_checksum_on_two_workers() -> None:
    blobs = blobs_of(MIN_PARALLEL + 3, seed=11)
    assert_same(checksum_all(blobs), [zlib.adler32(blob) for blob in blobs])
    assert_same(checksum_all(blobs[:2]), [zlib.adler32(blob) for blob in blobs[:2]])


def test_no_blobs_no_checksums() -> None:
    assert_same(checksum_all([], min_parallel=0, mp_context=FORK), [])
    assert_same(checksum_all([]), [])


# --- where the work runs -----------------------------------------------------------------


def test_tiny_inputs_run_in_this_process() -> None:
    blobs = blobs_of(MIN_PARALLEL - 1)

    pids = checksum_all(blobs, fn=where, mp_context=FORK)

    assert_same(pids, [os.getpid()] * len(blobs), f"{len(blobs)} blobs are below MIN_PARALLEL")


@pytest.mark.weight(2)
@pytest.mark.parametrize("min_parallel", [1, 5, MIN_PARALLEL])
def test_from_min_parallel_blobs_on_the_work_runs_in_worker_processes(min_parallel: int) -> None:
    below = checksum_all(blobs_of(min_parallel - 1), fn=where, min_parallel=min_parallel, mp_context=FORK)
    at = checksum_all(blobs_of(min_parallel), fn=where, min_parallel=min_parallel, mp_context=FORK)

    assert_same(below, [os.getpid()] * (min_parallel - 1), "fewer than min_parallel blobs: in-process")
    assert os.getpid() not in at, f"{min_parallel} blobs (min_parallel={min_parallel}) belong in worker processes"


def test_one_worker_runs_in_this_process() -> None:
    blobs = blobs_of(30)

    pids = checksum_all(blobs, workers=1, min_parallel=1, fn=where, mp_context=FORK)

    assert_same(pids, [os.getpid()] * 30, "a pool of one process only adds the cost of starting it")


@pytest.mark.weight(2)
def test_two_workers_run_at_the_same_time(barrier: Barrier) -> None:
    # Each call waits at the barrier until a call in another process arrives. With the
    # default chunksize of 1, blobs 0 and 1 are two tasks, so they can meet.
    pids = checksum_all([b"a", b"b", b"c", b"d"], workers=2, min_parallel=1, fn=meet, mp_context=FORK)

    assert_same(len(set(pids)), 2, "two workers, each in a process of its own")
    assert os.getpid() not in pids
    assert pids[0] != pids[1], "by default, each blob is a task of its own"


def test_never_more_processes_than_workers() -> None:
    pids = checksum_all(blobs_of(60), workers=2, min_parallel=1, fn=where, mp_context=FORK)

    assert len(set(pids)) <= 2, f"workers=2, but the calls ran in {len(set(pids))} processes"


@pytest.mark.weight(2)
@pytest.mark.parametrize(("count", "chunksize"), [(4, 2), (6, 3)])
def test_a_chunk_is_consecutive_blobs_in_one_task(barrier: Barrier, count: int, chunksize: int) -> None:
    # Two chunks, one per worker: blob i of the first chunk meets blob i of the second.
    pids = checksum_all(
        [bytes([n]) for n in range(count)],
        workers=2,
        chunksize=chunksize,
        min_parallel=1,
        fn=meet,
        mp_context=FORK,
    )

    first, second = pids[:chunksize], pids[chunksize:]
    assert_same(first, [first[0]] * chunksize, "a chunk's blobs all run in the same task")
    assert_same(second, [second[0]] * chunksize, "a chunk's blobs all run in the same task")
    assert first[0] != second[0]


def test_no_worker_outlives_the_call() -> None:
    pids = set(checksum_all(blobs_of(12), min_parallel=1, fn=where, mp_context=FORK))

    left = sorted(pid for pid in pids if is_running(pid))
    assert os.getpid() not in pids
    assert_same(left, [], "shut the pool down (and wait for its processes) before returning")


def test_no_worker_outlives_a_failure() -> None:
    global _seen
    _seen = FORK.SimpleQueue()
    try:
        with pytest.raises(ChecksumError) as caught:
            checksum_all([b"ok", b"BAD!"] * 6, min_parallel=1, fn=noted, mp_context=FORK)
        pids: set[int] = set()
        while not _seen.empty():
            pids.add(_seen.get())
    finally:
        _seen = None

    left = sorted(pid for pid in pids if is_running(pid))
    assert pids and os.getpid() not in pids
    assert_same(left, [], "shut the pool down (and wait for its processes) before raising")
    assert_same(caught.value.index, 1)


def test_uses_the_start_method_it_is_given() -> None:
    global _forked_here
    _forked_here = True
    try:
        forked = checksum_all([b"x"] * 4, min_parallel=1, fn=forked_from_here, mp_context=FORK)
        spawned = checksum_all(
            [b"x"] * 4,
            min_parallel=1,
            fn=forked_from_here,
            mp_context=multiprocessing.get_context("spawn"),
        )
    finally:
        _forked_here = False

    assert_same(forked, [True] * 4)
    assert_same(spawned, [False] * 4, "a spawned worker starts afresh: pass mp_context to the pool")


# --- failures ----------------------------------------------------------------------------


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("workers", "chunksize", "min_parallel"),
    [(2, 1, 1), (2, 3, 1), (2, 10, 1), (1, 1, 1), (2, 1, 100)],
    ids=["pool", "middle-of-a-chunk", "one-chunk", "one-worker", "in-process"],
)
def test_a_failure_names_the_blob_and_keeps_the_cause(workers: int, chunksize: int, min_parallel: int) -> None:
    blobs = [b"good-0", b"good-1", b"good-2", b"good-3", b"BAD-4!", b"good-5", b"good-6"]

    with pytest.raises(ChecksumError) as caught:
        checksum_all(blobs, workers=workers, chunksize=chunksize, min_parallel=min_parallel, fn=strict, mp_context=FORK)

    assert_same(caught.value.index, 4)
    assert_same(str(caught.value), "blob 4: CorruptBlob: bad header b'BAD-4!'")
    cause = caught.value.__cause__
    assert type(cause) is CorruptBlob, f"__cause__ should be the worker's CorruptBlob, got {cause!r}"
    assert_same(str(cause), "bad header b'BAD-4!'")


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("workers", "chunksize", "min_parallel"),
    [(2, 1, 1), (2, 2, 1), (2, 4, 1), (1, 3, 1), (2, 2, 100)],
)
def test_of_several_failures_the_earliest_blob_is_reported(
    workers: int, chunksize: int, min_parallel: int
) -> None:
    blobs = [b"ok"] * 16
    for index in (13, 5, 6, 10):
        blobs[index] = f"BAD{index}".encode()

    with pytest.raises(ChecksumError) as caught:
        checksum_all(blobs, workers=workers, chunksize=chunksize, min_parallel=min_parallel, fn=strict, mp_context=FORK)

    assert_same(caught.value.index, 5)
    assert_same(str(caught.value.__cause__), "bad header b'BAD5'")


def test_the_first_blob_can_fail() -> None:
    with pytest.raises(ChecksumError) as caught:
        checksum_all([b"BAD0", b"ok"], fn=strict)
    assert_same(caught.value.index, 0)


def test_more_processes_than_workers_would_be_seen() -> None:
    # Three calls must meet here, but with the default of two workers only two can run at
    # once: the barrier breaks after its timeout, and every call fails with
    # BrokenBarrierError. A third process would let them meet.
    global _barrier
    _barrier = FORK.Barrier(3, timeout=0.5)
    try:
        with pytest.raises(ChecksumError) as caught:
            checksum_all(blobs_of(8), min_parallel=1, fn=meet, mp_context=FORK)
    finally:
        _barrier = None

    assert type(caught.value.__cause__) is threading.BrokenBarrierError
    assert_same(caught.value.index, 0)


@pytest.mark.parametrize(
    ("workers", "chunksize"),
    [(0, 1), (-2, 1), (2, 0), (2, -1)],
    ids=["no-workers", "negative-workers", "empty-chunks", "negative-chunks"],
)
def test_rejects_nonsense_settings(workers: int, chunksize: int) -> None:
    with pytest.raises(ValueError):
        checksum_all(blobs_of(3), workers=workers, chunksize=chunksize)
