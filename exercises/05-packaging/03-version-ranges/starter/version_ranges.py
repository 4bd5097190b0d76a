"""Resolve dependency constraints (`^1.2`, `~1.2.3`, `>=1.0,<2`, `1.4.*`) against releases.

Run as a program, `python version_ranges.py CONSTRAINT` reads the available releases from
standard input, one per line, and prints the highest one that satisfies the constraint.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_VERSION = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)(?:-([0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*))?")


@functools.total_ordering
@dataclass(frozen=True)
class Version:
    """A release `MAJOR.MINOR.PATCH`, or a pre-release of it, `MAJOR.MINOR.PATCH-PRE`.

    Given: parsing, text and ordering. A pre-release sorts before its release; its
    identifiers compare left to right, numbers numerically and before words, and a shorter
    list first (`1.0.0-rc.2 < 1.0.0-rc.10 < 1.0.0-rc.x < 1.0.0`).
    """

    release: tuple[int, int, int]
    pre: tuple[int | str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Version:
        """Parse `text`; ValueError when it is not `MAJOR.MINOR.PATCH[-PRE]`."""
        found = _VERSION.fullmatch(text)
        if found is None:
            raise ValueError(f"invalid version {text!r}: expected MAJOR.MINOR.PATCH[-PRE]")
        major, minor, patch, pre = found.groups()
        identifiers = tuple(int(part) if part.isdigit() else part for part in (pre or "").split(".") if part)
        return cls((int(major), int(minor), int(patch)), identifiers)

    @property
    def is_prerelease(self) -> bool:
        return bool(self.pre)

    def __str__(self) -> str:
        text = ".".join(str(number) for number in self.release)
        return f"{text}-{'.'.join(str(part) for part in self.pre)}" if self.pre else text

    def _key(self) -> tuple[tuple[int, int, int], int, tuple[tuple[int, int, str], ...]]:
        identifiers = tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in self.pre)
        return (self.release, 0 if self.pre else 1, identifiers)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()


@dataclass(frozen=True)
class Clause:
    """One comparison, `op` being `<`, `<=`, `>`, `>=`, `==` or `!=`."""

    op: str
    version: Version


def parse_constraint(text: str) -> list[Clause]:
    """The comparisons that `text` stands for, all of which a version must satisfy.

    `^1.2` is `[Clause(">=", 1.2.0), Clause("<", 2.0.0)]`, `==1.4` is
    `[Clause("==", 1.4.0)]` and `*` is `[]`: see the README for every form. Raise
    ValueError("invalid constraint '<text>': <reason>") when `text` is malformed.
    """
    raise NotImplementedError


def satisfies(version: Version, clauses: Iterable[Clause]) -> bool:
    """Whether `version` satisfies every clause (pre-releases are not excluded here).

    `<V`, where V is a release, keeps out V's own pre-releases too.
    """
    raise NotImplementedError


def best_match(constraint: str, available: Iterable[str]) -> str | None:
    """The highest of `available` that satisfies `constraint`, as written there, or None.

    A pre-release is a candidate only when the constraint names a pre-release. ValueError
    when the constraint or one of the versions is malformed.
    """
    raise NotImplementedError


def main(argv: Sequence[str] | None = None) -> int:
    """`python version_ranges.py CONSTRAINT < releases`: print the best release; the exit status.

    `argv` defaults to `sys.argv[1:]`. See the README for the output and the exit statuses.
    """
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
