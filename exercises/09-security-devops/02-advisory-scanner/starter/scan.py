"""Check the pins of a lock file against a database of security advisories, as pip-audit does.

Run as a program::

    python scan.py requirements.lock advisories.json

it prints one line per vulnerable pin and exits with 1 if there is any, 0 if there is none, and
2 (with one line on standard error) if a file cannot be read or is malformed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


class ParseError(ValueError):
    """A lock file or advisory database that cannot be read; the message says where."""


@dataclass(frozen=True)
class Advisory:
    """One advisory: ``package`` (normalized) is vulnerable in the versions ``affected`` matches."""

    id: str
    package: str
    affected: str
    fixed: str | None
    summary: str


@dataclass(frozen=True)
class Finding:
    """A pinned version that an advisory affects."""

    package: str
    version: str
    advisory_id: str
    fixed: str | None
    summary: str

    def __str__(self) -> str:
        """The finding as one line of the report::

            django 4.2.7: ADV-2024-0101, fixed in 4.2.11: SQL injection in column aliases
            legacy-auth 2.0: ADV-2025-0009, no fix yet: tokens compared in non-constant time
        """
        raise NotImplementedError


def normalize_name(name: str) -> str:
    """Return the PEP 503 form of a package name: lower case, each run of ``-_.`` one ``-``.

    ``normalize_name("Zope.Interface")`` is ``"zope-interface"``.
    """
    raise NotImplementedError


def parse_version(text: str) -> tuple[int, ...]:
    """Return a key that orders release versions: ``"1.10.0"`` gives ``(1, 10)``.

    Compare the keys to compare versions: ``1.10`` is above ``1.9``. Trailing zeros are dropped,
    so that ``2.0`` and ``2.0.0`` get the same key. Raises ValueError for anything but numbers
    separated by dots (``1.0rc1``, ``v1``, ``1..2``, ``""``).
    """
    raise NotImplementedError


def version_matches(version: str, specifier: str) -> bool:
    """Say whether ``version`` satisfies every comma-separated clause of ``specifier``.

    A clause is an operator (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``) and a version, with
    optional spaces around either. ``version_matches("1.4.1", ">=1.0,<1.4.2")`` is True.
    Raises ValueError for a malformed version or specifier.
    """
    raise NotImplementedError


def parse_lock(text: str) -> dict[str, str]:
    """Return the pins of a lock file: each normalized package name and its version as written.

    Lines are ``name==version`` (spaces around the parts are allowed); ``#`` starts a comment,
    on a line of its own or after a pin, and blank lines are skipped. A name is letters, digits
    and ``-_.``, starting and ending with a letter or digit. Raises ParseError, with a message
    that starts ``line N: ``, for any other line and for a package pinned twice (under any
    spelling of its name).
    """
    raise NotImplementedError


def parse_advisories(text: str) -> list[Advisory]:
    """Return the advisories of a JSON document: a list of objects with the keys
    ``id``, ``package``, ``affected``, ``fixed`` (a version or null) and ``summary``.

    Other keys are ignored. The package is normalized. Raises ParseError for invalid JSON (the
    message starts ``line N: ``) and for an advisory that is not an object, lacks a key or has a
    malformed value (the message starts ``advisory N: ``, counting from 1).
    """
    raise NotImplementedError


def scan(pins: Mapping[str, str], advisories: Iterable[Advisory]) -> list[Finding]:
    """Return a finding for each advisory that affects a pinned version.

    Package names may be spelled any way, in ``pins`` and in the advisories alike. The findings
    name packages in their normalized form and are sorted by package, then advisory id.
    """
    raise NotImplementedError


def main(argv: Sequence[str] | None = None) -> int:
    """Scan LOCKFILE against ADVISORIES (``argv``, or the command line's arguments).

    Prints each finding on standard output and returns 1 if there is any, else 0. If a file
    cannot be read (missing, not UTF-8) or is malformed, prints one line on standard error,
    ``error: <path>: <problem>``, and returns 2.
    """
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
