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


# Longest first, so that `>=` is not read as `>` followed by `=1.0`.
_OPERATORS = ("==", "!=", ">=", "<=", ">", "<", "^", "~")
_NUMBER = re.compile(r"[0-9]+")
_PRE = re.compile(r"[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*")


def _invalid(text: str, reason: str) -> ValueError:
    return ValueError(f"invalid constraint {text!r}: {reason}")


def _partial(text: str, operand: str) -> tuple[list[int], str | None]:
    """The numbers of a version with one to three parts, and its pre-release text if any."""
    core, dash, pre = operand.partition("-")
    parts = core.split(".")
    if not 1 <= len(parts) <= 3 or not all(_NUMBER.fullmatch(part) for part in parts):
        raise _invalid(text, f"{operand!r} is not a version of one to three numbers")
    if dash and (len(parts) != 3 or not _PRE.fullmatch(pre)):
        raise _invalid(text, f"{operand!r}: a pre-release needs MAJOR.MINOR.PATCH and identifiers")
    return [int(part) for part in parts], pre if dash else None


def _version(numbers: Sequence[int], pre: str | None = None) -> Version:
    """The version of `numbers`, padded with zeros to three parts."""
    padded = [*numbers, 0, 0][:3]
    return Version.parse(".".join(map(str, padded)) + (f"-{pre}" if pre else ""))


def _bump(numbers: Sequence[int], index: int) -> Version:
    """The first release past every version that shares `numbers[:index + 1]`."""
    return _version([*numbers[:index], numbers[index] + 1])


def _parse_clause(text: str, clause: str) -> list[Clause]:
    op = next((op for op in _OPERATORS if clause.startswith(op)), "")
    operand = clause[len(op):].strip()
    if not operand:
        raise _invalid(text, f"{clause!r} has no version")
    if operand.endswith("*"):
        if op not in ("", "=="):
            raise _invalid(text, f"a wildcard only goes with '==' or alone, not {op!r}")
        if operand == "*":
            return []
        prefix = operand.removesuffix(".*")
        numbers, pre = _partial(text, prefix) if prefix != operand else ([], None)
        if prefix == operand or pre is not None or len(numbers) > 2:
            raise _invalid(text, f"{operand!r}: a wildcard replaces the last part, as in '1.4.*'")
        return [Clause(">=", _version(numbers)), Clause("<", _bump(numbers, len(numbers) - 1))]
    numbers, pre = _partial(text, operand)
    lowest = _version(numbers, pre)
    if op == "^":
        # The leftmost part that is not zero may not change; `^0.0` keeps its last part.
        index = next((i for i, number in enumerate(numbers) if number != 0), len(numbers) - 1)
        return [Clause(">=", lowest), Clause("<", _bump(numbers, index))]
    if op == "~":
        return [Clause(">=", lowest), Clause("<", _bump(numbers, min(1, len(numbers) - 1)))]
    return [Clause(op or "==", lowest)]


def parse_constraint(text: str) -> list[Clause]:
    """The comparisons that `text` stands for, all of which a version must satisfy.

    ValueError, naming `text`, when it is malformed.
    """
    if not text.strip():
        raise _invalid(text, "it is empty")
    clauses: list[Clause] = []
    for clause in text.split(","):
        if not clause.strip():
            raise _invalid(text, "a clause between commas is empty")
        clauses += _parse_clause(text, clause.strip())
    return clauses


def satisfies(version: Version, clauses: Iterable[Clause]) -> bool:
    """Whether `version` satisfies every clause (pre-releases are not excluded here)."""
    for clause in clauses:
        bound = clause.version
        if clause.op == "<" and not bound.is_prerelease:
            # `<2.0.0` keeps out 2.0.0's own pre-releases as well.
            ok = version.release < bound.release
        elif clause.op == "<":
            ok = version < bound
        elif clause.op == "<=":
            ok = version <= bound
        elif clause.op == ">":
            ok = version > bound
        elif clause.op == ">=":
            ok = version >= bound
        elif clause.op == "==":
            ok = version == bound
        else:
            ok = version != bound
        if not ok:
            return False
    return True


def best_match(constraint: str, available: Iterable[str]) -> str | None:
    """The highest of `available` that satisfies `constraint`, as written there, or None.

    A pre-release is a candidate only when the constraint names a pre-release. ValueError
    when the constraint or one of the versions is malformed.
    """
    clauses = parse_constraint(constraint)
    prereleases = any(clause.version.is_prerelease for clause in clauses)
    best: tuple[Version, str] | None = None
    for text in available:
        version = Version.parse(text)
        if version.is_prerelease and not prereleases:
            continue
        if satisfies(version, clauses) and (best is None or version > best[0]):
            best = (version, text)
    return None if best is None else best[1]


def main(argv: Sequence[str] | None = None) -> int:
    """`python version_ranges.py CONSTRAINT < releases`; the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python version_ranges.py CONSTRAINT < releases", file=sys.stderr)
        return 2
    releases: list[str] = []
    for number, line in enumerate(sys.stdin, start=1):
        text = line.partition("#")[0].strip()
        if not text:
            continue
        try:
            Version.parse(text)
        except ValueError as error:
            print(f"error: line {number}: {error}", file=sys.stderr)
            return 2
        releases.append(text)
    try:
        chosen = best_match(args[0], releases)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if chosen is None:
        print(f"no release satisfies {args[0]!r}")
        return 1
    print(chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
