"""Tests for the persistent job queue, through the interface the README states.

The queue reads a fake clock that moves only when a test moves it. A restart is a new
`JobQueue` over the same folder; one test restarts in a separate Python process.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pygrade_graders.compare import assert_same

import job_queue
from job_queue import Job, JobQueue, LeaseLostError

START = 1_700_000_000.0


class FakeClock:
    """A clock for tests: call it to read the time, advance it by hand."""

    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


Open = Callable[..., JobQueue]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "queue"


@pytest.fixture
def open_queue(folder: Path, clock: FakeClock) -> Iterator[Open]:
    """Make queues over `folder` on the fake clock (options as keywords); close them all."""
    made: list[JobQueue] = []

    def make(**options: Any) -> JobQueue:
        options.setdefault("clock", clock)
        queue = JobQueue(options.pop("folder", folder), **options)
        made.append(queue)
        return queue

    yield make
    for queue in made:
        queue.close()


def lease(queue: JobQueue) -> Job:
    job = queue.lease()
    assert job is not None, "a job was ready"
    return job


def payloads(queue: JobQueue) -> list[object]:
    """Lease every ready job, acking each, and return their payloads in order."""
    found: list[object] = []
    while (job := queue.lease()) is not None:
        found.append(job.payload)
        queue.ack(job)
    return found


def stats(ready: int = 0, leased: int = 0, dead: int = 0) -> dict[str, int]:
    return {"ready": ready, "leased": leased, "dead": dead}


# --- enqueue and lease --------------------------------------------------------------------


def test_a_leased_job_carries_its_payload_and_lease(open_queue: Open) -> None:
    queue = open_queue(visibility_timeout=45.0)

    job_id = queue.enqueue({"send": "welcome-email", "to": "ada@example.com"}, priority=2)
    job = lease(queue)

    assert isinstance(job_id, str) and job_id
    assert_same(
        job,
        Job(
            id=job_id,
            payload={"send": "welcome-email", "to": "ada@example.com"},
            priority=2,
            attempts=1,
            lease_expires_at=START + 45.0,
        ),
    )


def test_ids_are_unique(open_queue: Open) -> None:
    queue = open_queue()

    ids = [queue.enqueue(n) for n in range(50)]

    assert_same(len(set(ids)), 50)


def test_an_empty_queue_leases_nothing(open_queue: Open) -> None:
    assert_same(open_queue().lease(), None)


@pytest.mark.parametrize(
    "payload",
    [
        {"nested": {"list": [1, 2.5, None, True, "ü✓"]}},
        [1, "two"],
        "text",
        42,
        None,
        {},
    ],
)
def test_payloads_come_back_as_json_values(open_queue: Open, payload: object) -> None:
    queue = open_queue()

    queue.enqueue(payload)

    assert_same(lease(queue).payload, payload)


@pytest.mark.parametrize("payload", [object(), {"when": {1, 2}}, math.nan, [math.inf], b"raw"])
def test_a_payload_json_cannot_hold_is_refused(open_queue: Open, payload: object) -> None:
    queue = open_queue()

    with pytest.raises(ValueError):
        queue.enqueue(payload)

    assert_same(queue.stats(), stats())


@pytest.mark.weight(2)
def test_higher_priority_first_then_enqueue_order(open_queue: Open) -> None:
    queue = open_queue()
    for name, priority in [("a", 0), ("b", 5), ("c", 0), ("d", 5), ("e", -1), ("f", 0)]:
        queue.enqueue(name, priority=priority)

    assert_same(payloads(queue), ["b", "d", "a", "c", "f", "e"])


def test_the_default_priority_is_zero(open_queue: Open) -> None:
    queue = open_queue()
    queue.enqueue("low", priority=-1)
    queue.enqueue("default")
    queue.enqueue("high", priority=1)

    assert_same(payloads(queue), ["high", "default", "low"])


@pytest.mark.weight(2)
def test_a_leased_job_is_invisible_until_its_lease_runs_out(
    open_queue: Open, clock: FakeClock
) -> None:
    queue = open_queue(visibility_timeout=30.0)
    queue.enqueue("a")
    queue.enqueue("b")

    first = lease(queue)
    assert_same(lease(queue).payload, "b")
    assert_same(queue.lease(), None)
    clock.advance(29.999)
    assert_same(queue.lease(), None)
    clock.advance(0.001)
    again = lease(queue)

    assert_same((first.payload, first.attempts), ("a", 1))
    assert_same((again.id, again.attempts), (first.id, 2))
    assert_same(again.lease_expires_at, START + 60.0)


# --- ack and nack -------------------------------------------------------------------------


def test_an_acked_job_is_gone(open_queue: Open) -> None:
    queue = open_queue()
    queue.enqueue("a")

    queue.ack(lease(queue))

    assert_same(queue.stats(), stats())
    assert_same(queue.lease(), None)
    assert_same(queue.dead_letters(), [])


@pytest.mark.weight(2)
def test_a_lease_that_ran_out_cannot_be_settled(open_queue: Open, clock: FakeClock) -> None:
    queue = open_queue(visibility_timeout=10.0)
    queue.enqueue("a")
    stale = lease(queue)
    clock.advance(10.0)

    with pytest.raises(LeaseLostError):
        queue.ack(stale)
    with pytest.raises(LeaseLostError):
        queue.nack(stale)

    current = lease(queue)
    assert_same(current.attempts, 2)
    with pytest.raises(LeaseLostError):
        queue.ack(stale)
    queue.ack(current)
    assert_same(queue.stats(), stats())


def test_a_lease_is_settled_only_once(open_queue: Open) -> None:
    queue = open_queue()
    queue.enqueue("a")
    queue.enqueue("b")
    first, second = lease(queue), lease(queue)

    queue.ack(first)
    queue.nack(second)

    with pytest.raises(LeaseLostError):
        queue.ack(first)
    with pytest.raises(LeaseLostError):
        queue.nack(second)
    assert_same(queue.stats(), stats(ready=1))


def test_an_unknown_job_has_no_lease(open_queue: Open) -> None:
    queue = open_queue()
    stranger = Job(id="no-such-job", payload=None, priority=0, attempts=1, lease_expires_at=None)

    with pytest.raises(LeaseLostError):
        queue.ack(stranger)


def test_a_nacked_job_is_ready_again_at_once_in_its_place(open_queue: Open) -> None:
    queue = open_queue()
    queue.enqueue("a")
    queue.enqueue("b")

    job = lease(queue)
    queue.nack(job)
    again = lease(queue)

    assert_same((again.payload, again.attempts), ("a", 2))


@pytest.mark.weight(2)
def test_a_job_that_fails_every_attempt_becomes_a_dead_letter(open_queue: Open) -> None:
    queue = open_queue(max_attempts=3)
    job_id = queue.enqueue({"charge": 30}, priority=4)
    queue.enqueue("other")

    for attempt in (1, 2, 3):
        job = lease(queue)
        assert_same((job.id, job.attempts), (job_id, attempt))
        queue.nack(job)

    assert_same(
        queue.dead_letters(),
        [Job(id=job_id, payload={"charge": 30}, priority=4, attempts=3, lease_expires_at=None)],
    )
    assert_same(queue.stats(), stats(ready=1, dead=1))
    assert_same(payloads(queue), ["other"])


@pytest.mark.weight(2)
def test_a_lease_that_runs_out_on_the_last_attempt_makes_a_dead_letter(
    open_queue: Open, clock: FakeClock
) -> None:
    queue = open_queue(max_attempts=2, visibility_timeout=5.0)
    queue.enqueue("crashes its worker")

    lease(queue)
    clock.advance(5.0)
    assert_same(lease(queue).attempts, 2)
    assert_same(queue.stats(), stats(leased=1))
    clock.advance(5.0)

    assert_same(queue.stats(), stats(dead=1))
    assert_same([job.payload for job in queue.dead_letters()], ["crashes its worker"])
    assert_same(queue.lease(), None)


def test_the_dead_letters_notice_a_lease_that_ran_out(open_queue: Open, clock: FakeClock) -> None:
    queue = open_queue(max_attempts=1, visibility_timeout=5.0)
    queue.enqueue("x")
    lease(queue)
    clock.advance(5.0)

    assert_same([job.attempts for job in queue.dead_letters()], [1])


def test_with_one_attempt_the_first_failure_is_final(open_queue: Open) -> None:
    queue = open_queue(max_attempts=1)
    queue.enqueue("once")

    queue.nack(lease(queue))

    assert_same(queue.stats(), stats(dead=1))


def test_dead_letters_are_in_enqueue_order(open_queue: Open) -> None:
    queue = open_queue(max_attempts=1)
    for name in ("a", "b", "c"):
        queue.enqueue(name, priority={"a": 0, "b": 9, "c": 5}[name])
    jobs = [lease(queue) for _ in range(3)]
    for job in reversed(jobs):
        queue.nack(job)

    assert_same([job.payload for job in queue.dead_letters()], ["a", "b", "c"])


def test_stats_count_each_state(open_queue: Open) -> None:
    queue = open_queue(max_attempts=1)
    for n in range(5):
        queue.enqueue(n)
    queue.nack(lease(queue))
    lease(queue)
    queue.ack(lease(queue))

    assert_same(queue.stats(), stats(ready=2, leased=1, dead=1))


# --- restarts -----------------------------------------------------------------------------


@pytest.mark.weight(3)
def test_a_new_queue_over_the_folder_carries_on(open_queue: Open, clock: FakeClock) -> None:
    first = open_queue(max_attempts=2, visibility_timeout=30.0)
    first.enqueue("low", priority=1)
    first.enqueue("high", priority=9)
    first.enqueue("doomed", priority=5)
    first.enqueue("mid", priority=5)
    held = lease(first)  # "high"
    for _ in range(2):
        first.nack(lease(first))  # "doomed", twice: dead
    first.close()

    second = open_queue(max_attempts=2, visibility_timeout=30.0)

    assert_same(second.stats(), stats(ready=2, leased=1, dead=1))
    assert_same([job.payload for job in second.dead_letters()], ["doomed"])
    assert_same(lease(second).payload, "mid", "the held lease is still running")
    second.ack(held)  # the lease made before the restart is still good
    assert_same(payloads(second), ["low"])
    assert_same(second.stats(), stats(leased=1, dead=1))


def test_a_lease_from_before_a_restart_runs_out_as_usual(
    open_queue: Open, clock: FakeClock
) -> None:
    first = open_queue(visibility_timeout=30.0)
    first.enqueue("job")
    held = lease(first)
    first.close()

    second = open_queue(visibility_timeout=30.0)
    clock.advance(30.0)
    again = lease(second)

    assert_same((again.id, again.attempts), (held.id, 2))


def test_enqueue_order_holds_across_restarts(open_queue: Open) -> None:
    first = open_queue()
    first.enqueue("before")
    first.close()

    second = open_queue()
    second.enqueue("after")
    second.enqueue("urgent", priority=1)

    assert_same(payloads(second), ["urgent", "before", "after"])


def test_every_call_is_kept_without_close(open_queue: Open) -> None:
    crashed = open_queue()
    crashed.enqueue("kept")
    job = lease(crashed)
    crashed.nack(job)  # and then the process dies without closing anything

    survivor = open_queue()

    again = lease(survivor)
    assert_same((again.payload, again.attempts), ("kept", 2))


def test_a_context_manager_closes_the_queue(folder: Path, clock: FakeClock) -> None:
    with JobQueue(folder, clock=clock) as queue:
        assert isinstance(queue, JobQueue)
        queue.enqueue("in a block")

    with JobQueue(folder, clock=clock) as queue:
        assert_same(payloads(queue), ["in a block"])


@pytest.mark.weight(2)
def test_another_process_sees_the_jobs(open_queue: Open, folder: Path) -> None:
    queue = open_queue()
    queue.enqueue({"n": 1}, priority=1)
    queue.enqueue({"n": 2}, priority=3)
    queue.close()
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from job_queue import JobQueue\n"
        "with JobQueue(Path(sys.argv[1]), clock=lambda: float(sys.argv[2])) as queue:\n"
        "    job = queue.lease()\n"
        "    print(json.dumps(None if job is None else [job.payload, job.attempts]))\n"
    )
    code = Path(job_queue.__file__).parent
    env = {**os.environ, "PYTHONPATH": str(code)}

    done = subprocess.run(
        [sys.executable, "-c", script, str(folder), str(START)],
        capture_output=True,
        text=True,
        env=env,
        cwd=code,
        timeout=20,
        check=False,
    )

    assert_same(done.returncode, 0, done.stderr)
    assert_same(json.loads(done.stdout), [{"n": 2}, 1])


def test_each_folder_is_its_own_queue(open_queue: Open, tmp_path: Path) -> None:
    one = open_queue(folder=tmp_path / "one")
    two = open_queue(folder=tmp_path / "two")

    one.enqueue("for one")

    assert_same(two.lease(), None)
    assert_same(lease(one).payload, "for one")


def test_the_folder_is_made_when_missing(open_queue: Open, tmp_path: Path) -> None:
    deep = tmp_path / "var" / "lib" / "jobs"

    open_queue(folder=deep).enqueue("x")

    assert deep.is_dir()
    assert any(deep.iterdir()), "the jobs are kept in the folder"


# --- options ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [("visibility_timeout", 0.0), ("visibility_timeout", -1.0), ("max_attempts", 0)],
)
def test_bad_options_are_refused_by_name(open_queue: Open, option: str, value: float) -> None:
    with pytest.raises(ValueError, match=option):
        open_queue(**{option: value})


def test_the_smallest_options_are_accepted(open_queue: Open, clock: FakeClock) -> None:
    queue = open_queue(visibility_timeout=0.5, max_attempts=1)
    queue.enqueue("x")

    assert_same(lease(queue).lease_expires_at, START + 0.5)


def test_the_defaults(open_queue: Open, clock: FakeClock) -> None:
    queue = open_queue()
    queue.enqueue("x")

    for attempt in (1, 2, 3):
        job = lease(queue)
        assert_same((job.attempts, job.lease_expires_at), (attempt, clock.now + 30.0))
        clock.advance(30.0)

    assert_same(queue.stats(), stats(dead=1))


def test_the_default_clock_is_the_wall_clock(folder: Path) -> None:
    with JobQueue(folder) as queue:
        queue.enqueue("x")
        before = time.time()
        job = lease(queue)
        after = time.time()

    assert job.lease_expires_at is not None
    assert before + 30.0 <= job.lease_expires_at <= after + 30.0
