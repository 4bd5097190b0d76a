"""The timing and memory harness, run as pygrade runs it, on small modules made per test."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

INPUTS = """
def make_input(n: int, seed: int) -> tuple[list[int]]:
    return (list(range(n)),)

def make_lines(n: int, seed: int) -> tuple[object]:
    return ((str(i) for i in range(n)),)
"""

REFERENCE = """
def total(values: list[int]) -> int:
    return sum(values)

def count(lines: object) -> int:
    return sum(1 for _ in lines)  # type: ignore[attr-defined]
"""


def measure(
    tmp_path: Path,
    learner: str,
    mode: str,
    function: str,
    inputs: str,
    sizes: list[int],
    reference: str = REFERENCE,
    **options: float,
) -> list[dict[str, Any]]:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "solution.py").write_text(learner)
    (tmp_path / "inputs.py").write_text(INPUTS)
    (tmp_path / "reference_impl.py").write_text(reference)
    spec = {
        "mode": mode,
        "function": f"solution.{function}",
        "reference": str(tmp_path / "reference_impl.py"),
        "inputs": f"inputs.{inputs}",
        "sizes": sizes,
        "rounds": 6,
        **options,
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    return run_measure(tmp_path)


def run_measure(folder: Path) -> list[dict[str, Any]]:
    """Run the harness on `folder`/spec.json as pygrade does, with the channel on a pipe."""
    read_end, write_end = os.pipe()
    token_read, token_write = os.pipe()
    os.write(token_write, b"t0k3n\n")
    os.close(token_write)
    process = subprocess.Popen(
        [sys.executable, "-m", "pygrade_graders.measure", "spec.json", str(write_end), str(token_read)],
        cwd=folder,
        pass_fds=[write_end, token_read],
    )
    os.close(write_end)
    os.close(token_read)
    with os.fdopen(read_end, encoding="utf-8") as channel:
        events = [json.loads(line) for line in channel.read().splitlines()]
    assert process.wait() == 0
    assert all(event.pop("token") == "t0k3n" for event in events), "every event carries the token"
    return events


def test_timing_reports_rounds_of_both_sides(tmp_path: Path) -> None:
    events = measure(tmp_path, REFERENCE, "timing", "total", "make_input", [1000, 2000])
    samples = [e for e in events if e["event"] == "sample"]
    assert events[0]["event"] == "hello" and events[-1]["event"] == "done"
    assert {s["size"] for s in samples} == {1000, 2000}
    assert all(s["learner"] > 0 and s["reference"] > 0 for s in samples)
    assert len([s for s in samples if s["size"] == 1000]) >= 5


def test_a_wrong_answer_is_reported_before_anything_is_timed(tmp_path: Path) -> None:
    wrong = "def total(values: list[int]) -> int:\n    return sum(values) + 1\n"
    events = measure(tmp_path, wrong, "timing", "total", "make_input", [100])
    assert [e["event"] for e in events] == ["hello", "wrong", "done"]
    assert events[1]["message"] == "for an input of size 100: expected int 4950, got int 4951"


ALWAYS_EQUAL = """
class Anything:
    def __eq__(self, other: object) -> bool:
        return True

def total(values: list[int]) -> Anything:
    return Anything()
"""


def test_a_result_that_claims_to_equal_anything_is_wrong(tmp_path: Path) -> None:
    events = measure(tmp_path, ALWAYS_EQUAL, "timing", "total", "make_input", [100])
    assert [e["event"] for e in events] == ["hello", "wrong", "done"]
    assert events[1]["message"] == "for an input of size 100: expected int 4950, got Anything"


def test_a_hopelessly_slow_learner_is_timed_once(tmp_path: Path) -> None:
    # About 350 ms here: well past the 50 ms under which a single call decides nothing, on
    # machines several times faster too.
    slow = "def total(values: list[int]) -> int:\n    return sum(v for v in values for _ in range(10000)) // 10000\n"
    events = measure(tmp_path, slow, "timing", "total", "make_input", [2000], give_up_ratio=1000.0)
    kinds = [e["event"] for e in events]
    assert "slow" in kinds and "sample" not in kinds


def test_rounds_visit_every_size_in_turn(tmp_path: Path) -> None:
    """A drift of the machine's load falls on every size alike, not on the last ones measured."""
    events = measure(tmp_path, REFERENCE, "timing", "total", "make_input", [1000, 2000, 4000])
    sizes = [e["size"] for e in events if e["event"] == "sample"]
    assert sizes[:6] == [1000, 2000, 4000, 4000, 2000, 1000]


QUADRATIC = "def total(values: list[int]) -> int:\n    return sum(v for v in values for _ in values) // max(1, len(values))\n"


def test_a_call_past_its_cpu_allowance_is_stopped_and_larger_sizes_are_not_tried(tmp_path: Path) -> None:
    events = measure(tmp_path, QUADRATIC, "timing", "total", "make_input", [300, 3000, 30000], give_up_seconds=0.1)
    slow = [e for e in events if e["event"] == "slow"]
    assert [(e["size"], e["capped"]) for e in slow] == [(3000, True)]
    assert 0.1 <= slow[0]["learner"] < 1.0, "stopped once its CPU allowance was spent"
    assert {e["size"] for e in events if e["event"] == "sample"} == {300}


def test_waiting_does_not_spend_the_cpu_allowance(tmp_path: Path) -> None:
    """The allowance is CPU time: a call that waits (as on a busy machine) is not stopped."""
    sleepy = "import time\ndef total(values: list[int]) -> int:\n    time.sleep(0.3)\n    return sum(values)\n"
    events = measure(tmp_path, sleepy, "timing", "total", "make_input", [100], give_up_seconds=0.05)
    assert not [e for e in events if e["event"] == "slow"]
    assert [e for e in events if e["event"] == "sample"]


@pytest.mark.parametrize(("learner", "bigger"), [("def count(lines):\n    return len(list(lines))\n", True), (REFERENCE, False)])
def test_memory_tells_a_list_from_a_generator(tmp_path: Path, learner: str, bigger: bool) -> None:
    events = measure(tmp_path, learner, "memory", "count", "make_lines", [50_000])
    peak = next(e for e in events if e["event"] == "memory")
    assert (peak["learner_peak"] > 10 * peak["reference_peak"]) is bigger


def test_the_reference_s_peak_is_measured_alone_as_a_memory_run_measures_it(tmp_path: Path) -> None:
    """The trusted run imports no learner file: the folder's `solution.py` would fail it."""
    memory_run = measure(tmp_path / "memory", REFERENCE, "memory", "count", "make_lines", [50_000])
    alone = measure(tmp_path / "alone", "raise SystemExit('a learner file was imported')\n", "reference-memory", "count", "make_lines", [50_000])
    assert [e["event"] for e in alone] == ["hello", "reference-peak", "done"]
    measured = next(e for e in memory_run if e["event"] == "memory")["reference_peak"]
    assert alone[1]["size"] == 50_000
    assert abs(alone[1]["peak"] - measured) <= 0.1 * measured


@pytest.mark.parametrize(("learner", "wrong"), [(REFERENCE, False), (REFERENCE.replace("sum(1 ", "1 + sum(1 "), True)])
def test_a_reference_peak_given_is_reported_and_the_reference_still_gives_the_answer(tmp_path: Path, learner: str, wrong: bool) -> None:
    events = measure(tmp_path, learner, "memory", "count", "make_lines", [50_000], reference_peak=12_345)
    kinds = [e["event"] for e in events]
    if wrong:
        assert "wrong" in kinds and "memory" not in kinds
    else:
        peak = next(e for e in events if e["event"] == "memory")
        assert peak["reference_peak"] == 12_345 and 0 < peak["learner_peak"] < 12_345


HELPED_REFERENCE = """
def _sum(values: list[int]) -> int:
    return sum(values)

def total(values: list[int]) -> int:
    return _sum(values)
"""

# A wrong total, that makes the reference's answer wrong the same way by replacing the helper
# the reference's module looks up when it runs.
BENDS_THE_REFERENCE = """
import sys

def total(values: list[int]) -> int:
    return sum(values) + 1

reference = sys.modules.get("pygrade_reference")
if reference is not None:
    reference._sum = lambda values: sum(values) + 1
"""

# Drops every `wrong` event on its way out, through the channel's class and through the
# harness's own functions, each imported by name.
SILENCES_THE_HARNESS = """
import sys
import pygrade_graders.protocol

send = pygrade_graders.protocol.Channel.send
pygrade_graders.protocol.Channel.send = lambda self, event, **fields: None if event == "wrong" else send(self, event, **fields)
harness = sys.modules.get("__main__")
if hasattr(harness, "wrong_answer"):
    harness.wrong_answer = lambda *args: None

def total(values: list[int]) -> int:
    return sum(values) + 1
"""

# Takes the results channel from the harness's frame.
PEEKS = """
import sys

def total(values: list[int]) -> int:
    frame = sys._getframe(1)
    while frame is not None and "channel" not in frame.f_locals:
        frame = frame.f_back
    return sum(values)
"""


@pytest.mark.parametrize("learner", [BENDS_THE_REFERENCE, SILENCES_THE_HARNESS], ids=["reference", "harness"])
def test_learner_code_reaches_neither_the_reference_nor_the_harness_by_importing_them(tmp_path: Path, learner: str) -> None:
    events = measure(tmp_path, learner, "timing", "total", "make_input", [100], HELPED_REFERENCE)
    wrong = [event for event in events if event["event"] == "wrong"]
    assert len(wrong) == 1 and "100" in wrong[0]["message"]


def test_learner_code_reaching_for_the_harness_s_frames_while_its_memory_is_measured_is_reported(tmp_path: Path) -> None:
    events = measure(tmp_path, PEEKS, "memory", "total", "make_input", [100])
    tampered = [event for event in events if event["event"] == "tampered"]
    assert tampered and tampered[0]["inspected"][0].startswith("sys._getframe from ")
    assert tampered[0]["inspected"][0].endswith("solution.py:5")


DATACLASS_REFERENCE = """
from __future__ import annotations
from dataclasses import dataclass

@dataclass(frozen=True)
class Total:
    value: int

def total(values: list[int]) -> Total:
    return Total(sum(values))
"""


def test_equal_dataclasses_from_learner_and_reference_count_as_equal(tmp_path: Path) -> None:
    learner = DATACLASS_REFERENCE.replace("sum(values)", "sum(v for v in values)")
    events = measure(tmp_path, learner, "timing", "total", "make_input", [100], DATACLASS_REFERENCE)
    kinds = [event["event"] for event in events]
    assert "wrong" not in kinds and "sample" in kinds
