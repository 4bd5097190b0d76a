"""Tests of your ci.toml: the pipeline of this exercise's own project.

It is checked here with rules of the grader's own, written out below, so a ci.toml passes
only when it really keeps the README's rules, whatever your linter says about it.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pygrade_graders.compare import assert_same

from pipeline_lint import check_pipeline, stages

CI = Path(__file__).resolve().parent.parent / "ci.toml"
PINNED = re.compile(r"[\w.-]+/[\w./-]+@(?:[0-9a-f]{40}|v?[0-9]+(?:\.[0-9]+){0,2})")
PRINTS = re.compile(r"\s*(?:echo|printf)\b")


@pytest.fixture(scope="module")
def ci() -> dict[str, Any]:
    assert CI.is_file(), "write ci.toml next to pipeline_lint.py"
    return tomllib.loads(CI.read_text(encoding="utf-8"))


def jobs_of(ci: dict[str, Any]) -> dict[str, dict[str, Any]]:
    jobs = ci.get("jobs")
    assert isinstance(jobs, dict) and jobs, "ci.toml has a [jobs] table with at least one job"
    return jobs


def steps_of(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps = job.get("steps")
    assert isinstance(steps, list) and all(isinstance(step, dict) for step in steps)
    return steps


def needs_of(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    assert isinstance(needs, list) and all(isinstance(need, str) for need in needs)
    return needs


def runs(job: dict[str, Any]) -> Iterator[str]:
    for step in steps_of(job):
        run = step.get("run")
        if isinstance(run, str):
            yield run


def the_job_running(jobs: dict[str, dict[str, Any]], command: str) -> str:
    found = [name for name, job in jobs.items() if any(command in run for run in runs(job))]
    assert len(found) == 1, f"exactly one job runs `{command}`; found {found}"
    return found[0]


def before(jobs: dict[str, dict[str, Any]], name: str) -> set[str]:
    """Every job that ``name`` waits for, directly or through others."""
    waits: set[str] = set()
    todo = list(needs_of(jobs[name]))
    while todo:
        need = todo.pop()
        if need in jobs and need not in waits:
            waits.add(need)
            todo += needs_of(jobs[need])
    return waits


# --- the linter's rules, as the grader keeps them ---------------------------------------------


def rule_problems(ci: dict[str, Any]) -> Iterator[str]:
    """What in ``ci`` breaks a rule of the README."""
    jobs = jobs_of(ci)
    for name, job in jobs.items():
        if not steps_of(job):
            yield f"job {name!r} has no steps"
        timeout = job.get("timeout-minutes")
        if not (type(timeout) is int and 1 <= timeout <= 360):
            yield f"job {name!r} has no timeout-minutes from 1 to 360"
        for number, step in enumerate(steps_of(job), start=1):
            uses = step.get("uses")
            if uses is not None and not (isinstance(uses, str) and (uses.startswith("./") or PINNED.fullmatch(uses))):
                yield f"job {name!r} step {number} does not pin its action to a version tag or a commit SHA"
        for run in runs(job):
            for line in run.splitlines():
                if PRINTS.match(line) and ("secrets" in line or "$" in line):
                    yield f"job {name!r} prints a variable or a secret: {line.strip()!r}"
        for need in needs_of(job):
            if need not in jobs:
                yield f"job {name!r} needs {need!r}, which is not a job"
        if name in before(jobs, name):
            yield f"job {name!r} waits for itself"
        matrix = job.get("strategy", {}).get("matrix")
        if matrix is not None:
            axes = {key: values for key, values in matrix.items() if key not in ("include", "exclude")}
            combinations = [dict(zip(axes, values)) for values in itertools.product(*axes.values())] if axes else []
            excluded = matrix.get("exclude", [])
            kept = [c for c in combinations if not any(all(c.get(k) == v for k, v in e.items()) for e in excluded)]
            size = len(kept) + len(matrix.get("include", []))
            if size > 12:
                yield f"job {name!r} makes {size} matrix jobs, more than 12"


@pytest.mark.weight(2)
def test_your_pipeline_keeps_every_rule_of_the_linter(ci: dict[str, Any]) -> None:
    problems = list(rule_problems(ci))

    assert not problems, "ci.toml breaks the linter's rules:\n  " + "\n  ".join(problems)


# --- what this project's pipeline must do -----------------------------------------------------


@pytest.mark.weight(2)
def test_lint_and_type_check_come_before_the_tests(ci: dict[str, Any]) -> None:
    jobs = jobs_of(ci)
    lint, types, test = (the_job_running(jobs, command) for command in ("ruff check", "mypy --strict", "pytest"))

    assert lint != test and types != test, "the tests run in a job of their own"
    waits = before(jobs, test)
    assert lint in waits, f"the test job {test!r} needs the lint job {lint!r}, directly or through another job"
    assert types in waits, f"the test job {test!r} needs the type-check job {types!r}, directly or through another job"


def test_every_job_checks_out_and_sets_up_python_before_it_runs_anything(ci: dict[str, Any]) -> None:
    for name, job in jobs_of(ci).items():
        steps = steps_of(job)
        assert str(steps[0].get("uses", "")).startswith("actions/checkout@"), (
            f"job {name!r} checks out the code in its first step"
        )
        first_run = next(index for index, step in enumerate(steps + [{"run": ""}]) if "run" in step)
        assert any(str(step.get("uses", "")).startswith("actions/setup-python@") for step in steps[:first_run]), (
            f"job {name!r} sets up Python before its first run step"
        )


@pytest.mark.weight(2)
def test_the_tests_run_on_every_supported_python(ci: dict[str, Any]) -> None:
    jobs = jobs_of(ci)
    test = jobs[the_job_running(jobs, "pytest")]

    pythons = test.get("strategy", {}).get("matrix", {}).get("python", [])
    assert {"3.11", "3.12"} <= set(pythons), "the test job's matrix has a `python` list with 3.11 and 3.12"
    setups = [step for step in steps_of(test) if str(step.get("uses", "")).startswith("actions/setup-python@")]
    assert setups and setups[0].get("with", {}).get("python-version") == "${{ matrix.python }}", (
        "the test job sets up the matrix's Python: python-version = \"${{ matrix.python }}\""
    )


# --- and your linter agrees -------------------------------------------------------------------


def test_your_linter_accepts_your_pipeline_and_starts_the_tests_last(ci: dict[str, Any]) -> None:
    jobs = jobs_of(ci)
    assert_same(check_pipeline(ci), [])

    planned = stages(ci)

    stage_of = {name: number for number, stage in enumerate(planned) for name in stage}
    test = the_job_running(jobs, "pytest")
    for other in (the_job_running(jobs, "ruff check"), the_job_running(jobs, "mypy --strict")):
        assert stage_of[other] < stage_of[test], f"{other!r} starts in a stage before {test!r}"
