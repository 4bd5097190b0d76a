"""Audit pyproject.toml files against the team's packaging policy.

Run as a program, `python pyproject_audit.py FILE...` prints each file's findings.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RULES = {
    "PA001": "no [build-system] table",
    "PA002": "no build backend named",
    "PA003": "the backend's own package is not required",
    "PA004": "build requirement has no lower bound",
    "PA005": "a [tool.poetry] project needs the poetry.core.masonry.api backend",
    "PA009": "no [project] table",
    "PA010": "required field is missing",
    "PA011": "not a valid distribution name",
    "PA012": "no lower bound on the Python version",
    "PA013": "an upper bound on the Python version: resolvers then refuse newer Pythons",
    "PA014": "not a version constraint",
    "PA020": "version is both static and dynamic",
    "PA021": "dynamic version has no source in the backend's configuration",
    "PA022": "a version source, but version is not dynamic",
    "PA023": "name may never be dynamic",
    "PA030": "command name is not lower-case letters, digits and dashes",
    "PA031": "not an object reference, 'package.module:function'",
    "PA032": "declare commands in [project.scripts] or [project.gui-scripts]",
}

# The package each known backend is imported from, which [build-system] must require.
BACKEND_PACKAGES = {
    "setuptools.build_meta": "setuptools",
    "poetry.core.masonry.api": "poetry-core",
    "hatchling.build": "hatchling",
    "flit_core.buildapi": "flit-core",
    "pdm.backend": "pdm-backend",
}
POETRY_BACKEND = "poetry.core.masonry.api"

# Where a backend reads a dynamic version from (backends not listed are not checked).
VERSION_SOURCES = {
    "setuptools.build_meta": ("tool", "setuptools", "dynamic", "version"),
    "hatchling.build": ("tool", "hatch", "version"),
}

REQUIRED_PROJECT = ("name", "version", "description", "requires-python", "license")
REQUIRED_POETRY = ("name", "version", "description", "license")

# How main() names each flavour.
LABELS = {"pep621": "PEP 621 project", "poetry": "Poetry project", "unknown": "no project metadata"}


@dataclass(frozen=True, order=True)
class Finding:
    """A broken rule: its code (a key of RULES) and where, as a dotted path into the file."""

    code: str
    where: str

    def __str__(self) -> str:
        return f"{self.code} {self.where}: {RULES[self.code]}"


def flavour(config: Mapping[str, Any]) -> str:
    """`"pep621"` with a [project] table, else `"poetry"` with [tool.poetry], else `"unknown"`."""
    raise NotImplementedError


def audit(config: Mapping[str, Any]) -> list[Finding]:
    """Every finding of the policy on `config` (what tomllib reads), sorted by code and place.

    The rules are in the README; each finding is one `Finding(code, where)`.
    """
    raise NotImplementedError


def main(argv: Sequence[str] | None = None) -> int:
    """`python pyproject_audit.py FILE...`: print each file's findings; the exit status.

    `argv` defaults to `sys.argv[1:]`. See the README for the output and the exit statuses.
    """
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
