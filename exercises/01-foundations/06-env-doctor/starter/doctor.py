"""A doctor for the team's Python projects: which Python runs, in which environment, found how,
and whether the project around it is laid out as the team expects.

Every fact about the machine comes in through `Facts` and the project folder, and the time
through a clock, so that a diagnosis can be tested on any machine. The README gives each
finding's exact message.
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


@dataclass(frozen=True)
class Facts:
    """What the running interpreter and its environment report."""

    version_info: tuple[int, int, int]
    prefix: str
    base_prefix: str
    executable: str
    environ: Mapping[str, str]

    @classmethod
    def from_running(cls) -> Facts:
        """The facts of the interpreter running this code: the first three numbers of
        ``sys.version_info`` as a plain tuple, ``sys.prefix``, ``sys.base_prefix``,
        ``sys.executable``, and a copy of ``os.environ`` as a dict."""
        raise NotImplementedError


@dataclass(frozen=True)
class Finding:
    """One thing the doctor found: which check found it (``"python"``, ``"venv"``,
    ``"path"``, ``"pyenv"`` or ``"project"``), its level (``logging.INFO``,
    ``logging.WARNING`` or ``logging.ERROR``), and what it is."""

    check: str
    level: int
    message: str


def satisfies(version: tuple[int, int, int], spec: str) -> bool:
    """Whether ``version`` meets the ``requires-python`` specifier ``spec``, such as
    ``">=3.10, <4"``. Raises ``ValueError`` for a specifier it cannot read."""
    raise NotImplementedError


def check_python(facts: Facts, project: Path) -> list[Finding]:
    """The running version against the ``requires-python`` of ``project/pyproject.toml``."""
    raise NotImplementedError


def check_venv(facts: Facts) -> list[Finding]:
    """Whether a virtual environment is in use, and whether it is the one meant."""
    raise NotImplementedError


def find_pythons(path: str) -> list[str]:
    """The ``python3`` and ``python3.N`` executables on ``path`` (a PATH value), in the order
    a shell finds them."""
    raise NotImplementedError


def check_path(facts: Facts) -> list[Finding]:
    """Which Pythons a shell finds on PATH, and whether ``python3`` is this interpreter's."""
    raise NotImplementedError


def check_pyenv(facts: Facts, project: Path) -> list[Finding]:
    """Whether pyenv pins a version, and whether it is the one running."""
    raise NotImplementedError


def check_project(project: Path) -> list[Finding]:
    """The project's structure: pyproject.toml, its layout and its tests."""
    raise NotImplementedError


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def diagnose(
    facts: Facts,
    project: Path,
    *,
    clock: Callable[[], datetime] = _utc_now,
    logger: logging.Logger | None = None,
) -> list[Finding]:
    """Run every check in the order above, log each finding at its level with the run's
    time in UTC, and return the findings. ``logger`` defaults to the ``"doctor"`` logger."""
    raise NotImplementedError
