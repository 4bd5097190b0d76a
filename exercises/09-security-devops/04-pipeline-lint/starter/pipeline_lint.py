"""Check a CI pipeline definition before it is merged, and say in which stages its jobs start.

Run as ``python -m pipeline_lint FILE``: prints the findings (exit status 1), or the stages
(exit status 0); a file that cannot be read or is not TOML is exit status 2.

The README states every rule and every message exactly.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MATRIX_BUDGET = 12
MAX_TIMEOUT = 360


@dataclass(frozen=True)
class Finding:
    """One problem of a pipeline: the job it is in, the rule it breaks, and what it is."""

    job: str
    rule: str
    message: str


def check_pipeline(definition: Mapping[str, Any], *, matrix_budget: int = MATRIX_BUDGET) -> list[Finding]:
    """Every finding of the pipeline ``definition`` (as ``tomllib`` reads it): job by job in
    name order, each job's in the order of the rules, then the cycles of the needs."""
    raise NotImplementedError


def stages(definition: Mapping[str, Any]) -> list[list[str]]:
    """The jobs in the stages a runner starts them in: first those that need no job, then
    those whose needs are all in earlier stages, each stage in name order.

    Needs that are not jobs are left out. Raises ValueError when the needs form a cycle.
    """
    raise NotImplementedError


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``python -m pipeline_lint FILE``; ``argv`` defaults to
    ``sys.argv[1:]``. Returns the exit status."""
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
