"""A pytest plugin for the plain loop of `cohort.py`: the CPU time a session's tests spend on
their own work, written to the file `TESTS_OWN_CPU_FILE` names when the session ends.

A test's own work is its setup, its call and its teardown: the code of the test and of its
fixtures, the learner's code they call, and the processes they start (counted once they are
waited for). The hooks are timed inside every other plugin's wrappers (`trylast`), so what
pytest does around them (capturing output, logging, reporting) is left out, as are pytest's
start, the collection, and importing the test modules and the learner's modules they
import. Any grader that runs these tests as they are written spends at least this much.
"""

from __future__ import annotations

import json
import os
import resource
from collections.abc import Callable, Generator

import pytest

SPENT_MS = [0.0]


def cpu_ms() -> float:
    """This process's CPU time and its waited-for children's, in milliseconds."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime) * 1000


def timed() -> Callable[[pytest.Item], Generator[None, None, None]]:
    """A wrapper of one of a test's phases that adds up its CPU time; innermost of the
    wrappers (`trylast`), so that the others' work is not counted."""

    @pytest.hookimpl(wrapper=True, trylast=True)
    def phase(item: pytest.Item) -> Generator[None, None, None]:
        started = cpu_ms()
        try:
            return (yield)
        finally:
            SPENT_MS[0] += cpu_ms() - started

    return phase


pytest_runtest_setup = timed()
pytest_runtest_call = timed()
pytest_runtest_teardown = timed()


def pytest_unconfigure(config: pytest.Config) -> None:
    path = os.environ.get("TESTS_OWN_CPU_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps({"folder": os.getcwd(), "cpu_ms": SPENT_MS[0]}) + "\n")
