"""Check a CI pipeline definition before it is merged, and say in which stages its jobs start.

Run as ``python -m pipeline_lint FILE``: prints the findings (exit status 1), or the stages
(exit status 0); a file that cannot be read or is not TOML is exit status 2.
"""

from __future__ import annotations

import itertools
import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MATRIX_BUDGET = 12
MAX_TIMEOUT = 360

PINNED_REF = re.compile(r"[0-9a-f]{40}|v?[0-9]+(?:\.[0-9]+){0,2}")
ACTION = re.compile(r"[\w.-]+/[\w./-]+@(.+)")
SECRET_OR_VARIABLE = re.compile(
    r"\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"
)
SECRET = re.compile(r"\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
PRINTERS = ("echo", "printf")
MASK = "::add-mask::"
REDIRECTS = re.compile(r"[|>]")  # output piped into a command or a file does not reach the log


@dataclass(frozen=True)
class Finding:
    """One problem of a pipeline: the job it is in, the rule it breaks, and what it is."""

    job: str
    rule: str
    message: str


def _needs(job: Mapping[str, Any]) -> list[str]:
    needs: list[str] = job.get("needs", [])
    return needs


def _is_pinned(uses: str) -> bool:
    if uses.startswith("./"):
        return True
    match = ACTION.fullmatch(uses)
    return match is not None and PINNED_REF.fullmatch(match.group(1)) is not None


def _timeout_problem(job: Mapping[str, Any]) -> str | None:
    if "timeout-minutes" not in job:
        return "has no timeout-minutes"
    timeout = job["timeout-minutes"]
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not 1 <= timeout <= MAX_TIMEOUT:
        return f"timeout-minutes must be a whole number from 1 to {MAX_TIMEOUT}, got {timeout!r}"
    return None


def _printed_secret(line: str, env: Mapping[str, str]) -> str | None:
    """The first secret that ``line`` prints, if it is an echo or printf: named outright, or
    through a variable of ``env`` that holds one."""
    words = line.split()
    if not words or words[0] not in PRINTERS or MASK in line or REDIRECTS.search(line):
        return None
    for match in SECRET_OR_VARIABLE.finditer(line):
        secret, variable = match.groups()
        if secret is not None:
            return secret
        held = SECRET.search(env.get(variable, ""))
        if held is not None:
            return held.group(1)
    return None


def _matrix_size(matrix: Mapping[str, Any]) -> int:
    """How many jobs the matrix makes: its combinations that no ``exclude`` entry matches,
    plus one per ``include`` entry."""
    axes = {key: values for key, values in matrix.items() if key not in ("include", "exclude")}
    combinations = [dict(zip(axes, values)) for values in itertools.product(*axes.values())] if axes else []
    excludes: list[Mapping[str, Any]] = matrix.get("exclude", [])
    kept = [
        combination
        for combination in combinations
        if not any(all(combination.get(key) == value for key, value in exclude.items()) for exclude in excludes)
    ]
    return len(kept) + len(matrix.get("include", []))


def _job_findings(name: str, job: Mapping[str, Any], jobs: Mapping[str, Any], budget: int) -> list[Finding]:
    findings = [
        Finding(name, "unknown-need", f"needs {need!r}, which is not a job")
        for need in _needs(job)
        if need not in jobs
    ]
    steps: list[Mapping[str, Any]] = job.get("steps", [])
    if not steps:
        findings.append(Finding(name, "no-steps", "has no steps"))
    timeout = _timeout_problem(job)
    if timeout is not None:
        findings.append(Finding(name, "timeout", timeout))
    for number, step in enumerate(steps, start=1):
        uses = step.get("uses")
        if uses is not None and not _is_pinned(uses):
            findings.append(
                Finding(name, "unpinned-action", f"step {number} uses {uses}: pin a version tag or a commit SHA")
            )
    for number, step in enumerate(steps, start=1):
        env = {**job.get("env", {}), **step.get("env", {})}
        for line_number, line in enumerate(step.get("run", "").splitlines(), start=1):
            secret = _printed_secret(line, env)
            if secret is not None:
                findings.append(
                    Finding(name, "secret-echo", f"step {number}, line {line_number}: prints secrets.{secret}")
                )
    matrix = job.get("strategy", {}).get("matrix")
    if matrix is not None:
        size = _matrix_size(matrix)
        if size > budget:
            findings.append(
                Finding(name, "matrix-budget", f"matrix makes {size} jobs, over the budget of {budget}")
            )
    return findings


def _cycles(jobs: Mapping[str, Any]) -> list[list[str]]:
    """Every cycle closed by a depth-first walk of the needs, jobs and needs in name order."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    path: list[str] = []

    def walk(name: str) -> None:
        path.append(name)
        for need in sorted(set(_needs(jobs[name]))):
            if need not in jobs or need in done:
                continue
            if need in path:
                cycles.append(path[path.index(need) :] + [need])
            else:
                walk(need)
        path.pop()
        done.add(name)

    for name in sorted(jobs):
        if name not in done:
            walk(name)
    return cycles


def check_pipeline(definition: Mapping[str, Any], *, matrix_budget: int = MATRIX_BUDGET) -> list[Finding]:
    """Every finding of the pipeline: job by job in name order, each job's in the order of
    the rules, then the cycles of its needs."""
    jobs: Mapping[str, Any] = definition.get("jobs", {})
    findings: list[Finding] = []
    for name in sorted(jobs):
        findings += _job_findings(name, jobs[name], jobs, matrix_budget)
    for cycle in _cycles(jobs):
        findings.append(Finding(cycle[0], "cycle", f"needs form a cycle: {' -> '.join(cycle)}"))
    return findings


def stages(definition: Mapping[str, Any]) -> list[list[str]]:
    """The jobs in the stages a runner starts them in: first those that need no job, then
    those whose needs are all in earlier stages, each stage in name order.

    Needs that are not jobs are left out. Raises ValueError when the needs form a cycle.
    """
    jobs: Mapping[str, Any] = definition.get("jobs", {})
    needs = {name: {need for need in _needs(job) if need in jobs} for name, job in jobs.items()}
    placed: set[str] = set()
    result: list[list[str]] = []
    while len(placed) < len(needs):
        stage = sorted(name for name, wanted in needs.items() if name not in placed and wanted <= placed)
        if not stage:
            raise ValueError("the needs of the jobs form a cycle")
        result.append(stage)
        placed.update(stage)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``python -m pipeline_lint FILE``."""
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) != 1:
        print("usage: python -m pipeline_lint FILE", file=sys.stderr)
        return 2
    path = args[0]
    try:
        with open(path, "rb") as file:
            definition = tomllib.load(file)
    except OSError as err:
        print(f"error: cannot read {path}: {err.strerror}", file=sys.stderr)
        return 2
    except tomllib.TOMLDecodeError as err:
        print(f"error: {path} is not valid TOML: {err}", file=sys.stderr)
        return 2
    findings = check_pipeline(definition)
    if findings:
        for finding in findings:
            print(f"{finding.job}: {finding.rule}: {finding.message}")
        print(f"{len(findings)} finding{'' if len(findings) == 1 else 's'}")
        return 1
    for number, stage in enumerate(stages(definition), start=1):
        print(f"stage {number}: {', '.join(stage)}")
    print(f"ok: {len(definition.get('jobs', {}))} jobs, no findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
