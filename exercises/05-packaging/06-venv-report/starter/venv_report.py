"""Inspect a virtual environment's folder: what it was made from, what it holds, and how far
that has drifted from the lock file.

Run as a program: `python venv_report.py VENV [LOCKFILE]`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# What `python -m venv` installs by itself: never reported as extra unless locked.
BOOTSTRAP = frozenset({"pip", "setuptools", "wheel"})


class NotAVenvError(ValueError):
    """The folder is not a virtual environment."""


@dataclass(frozen=True)
class Venv:
    """What `pyvenv.cfg` says about a virtual environment, and where its packages are."""

    path: Path
    home: str
    version: str | None
    system_site_packages: bool
    site_packages: Path | None


@dataclass(frozen=True)
class Distribution:
    """An installed distribution, as its `METADATA` names it."""

    name: str
    version: str


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them: `Flask_SQLAlchemy` is `flask-sqlalchemy`."""
    raise NotImplementedError


def parse_pyvenv_cfg(text: str) -> dict[str, str]:
    """The `key = value` lines of a `pyvenv.cfg`, keys lower-cased, both sides stripped.

    Lines without `=` are ignored, as Python's own `site` module ignores them.
    """
    raise NotImplementedError


def inspect(folder: Path) -> Venv:
    """Read `folder`'s `pyvenv.cfg`; NotAVenvError when there is none or it names no `home`."""
    raise NotImplementedError


def installed(site_packages: Path | None) -> dict[str, Distribution]:
    """The distributions of `site_packages`, by normalized name, from each `*.dist-info/METADATA`.

    A `.dist-info` folder without a readable `METADATA` that has both `Name` and `Version` is
    left out (an install that was interrupted). Of two folders of one distribution, the one
    whose folder name sorts last counts.
    """
    raise NotImplementedError


def parse_lock(text: str) -> dict[str, str]:
    """A lock file's pins, `name==version` per line, by normalized name.

    `#` starts a comment; blank lines are skipped. ValueError("line N: ...") for any other line.
    """
    raise NotImplementedError


def drift(present: Mapping[str, Distribution], locked: Mapping[str, str]) -> list[str]:
    """How `present` differs from `locked`: one line per distribution, by normalized name."""
    raise NotImplementedError


def main(argv: Sequence[str] | None = None) -> int:
    """`python venv_report.py VENV [LOCKFILE]`: print the report; the exit status.

    `argv` defaults to `sys.argv[1:]`. See the README for the output and the exit statuses.
    """
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
