"""Check the pins of a lock file against a database of security advisories, as pip-audit does.

Run as a program::

    python scan.py requirements.lock advisories.json

it prints one line per vulnerable pin and exits with 1 if there is any, 0 if there is none, and
2 (with one line on standard error) if a file cannot be read or is malformed.
"""

from __future__ import annotations

import argparse
import json
import operator
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

# A package name as PEP 508 allows it: letters, digits, and `-`, `_`, `.` inside.
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
# A release version: numbers separated by dots.
_VERSION = re.compile(r"[0-9]+(?:\.[0-9]+)*")
# Two-character operators first, so that "<=" is not read as "<" followed by "=1.0".
_OPERATORS: dict[str, Callable[[tuple[int, ...], tuple[int, ...]], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
_FIELDS = ("id", "package", "affected", "fixed", "summary")


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
        fix = f"fixed in {self.fixed}" if self.fixed is not None else "no fix yet"
        return f"{self.package} {self.version}: {self.advisory_id}, {fix}: {self.summary}"


def normalize_name(name: str) -> str:
    """Return the PEP 503 form of a package name: lower case, each run of ``-_.`` one ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_version(text: str) -> tuple[int, ...]:
    """Return a key that orders release versions: ``"1.10.0"`` gives ``(1, 10)``.

    Trailing zeros are dropped, so that ``2.0`` and ``2.0.0`` get the same key. Raises ValueError
    for anything but numbers separated by dots.
    """
    if not _VERSION.fullmatch(text):
        raise ValueError(f"invalid version {text!r} (expected numbers and dots, such as 1.4.2)")
    parts = [int(part) for part in text.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _parse_specifier(specifier: str) -> list[tuple[str, tuple[int, ...]]]:
    clauses = []
    for clause in specifier.split(","):
        clause = clause.strip()
        symbol = next((op for op in _OPERATORS if clause.startswith(op)), None)
        if symbol is None:
            raise ValueError(f"invalid clause {clause!r} in specifier {specifier!r}")
        clauses.append((symbol, parse_version(clause[len(symbol) :].strip())))
    return clauses


def version_matches(version: str, specifier: str) -> bool:
    """Say whether ``version`` satisfies every comma-separated clause of ``specifier``.

    ``version_matches("1.4.1", ">=1.0,<1.4.2")`` is True. Raises ValueError for a malformed
    version or specifier.
    """
    key = parse_version(version)
    return all(_OPERATORS[symbol](key, bound) for symbol, bound in _parse_specifier(specifier))


def parse_lock(text: str) -> dict[str, str]:
    """Return the pins of a lock file: each normalized package name and its version as written.

    Lines are ``name==version``; ``#`` starts a comment and blank lines are skipped. Raises
    ParseError, naming the line, for any other line and for a package pinned twice.
    """
    pins: dict[str, str] = {}
    pinned_on: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.partition("#")[0].strip()
        if not line:
            continue
        name, equals, version = (part.strip() for part in line.partition("=="))
        if not equals or not _NAME.fullmatch(name):
            raise ParseError(f"line {number}: expected 'name==version', got {line!r}")
        try:
            parse_version(version)
        except ValueError as err:
            raise ParseError(f"line {number}: {err}") from err
        key = normalize_name(name)
        if key in pins:
            first = pinned_on[key]
            raise ParseError(f"line {number}: {key} is pinned twice (first on line {first})")
        pins[key] = version
        pinned_on[key] = number
    return pins


def _advisory(entry: object, where: str) -> Advisory:
    if not isinstance(entry, dict):
        raise ParseError(f"{where}: expected an object")
    missing = [field for field in _FIELDS if field not in entry]
    if missing:
        raise ParseError(f"{where}: missing {', '.join(missing)}")
    ident, package, affected, fixed, summary = (entry[field] for field in _FIELDS)
    if not isinstance(ident, str) or not ident:
        raise ParseError(f"{where}: 'id' must be a non-empty string")
    where = f"{where} ({ident})"
    if not isinstance(package, str) or not _NAME.fullmatch(package):
        raise ParseError(f"{where}: 'package' must be a package name, got {package!r}")
    if not isinstance(summary, str):
        raise ParseError(f"{where}: 'summary' must be a string")
    try:
        if not isinstance(affected, str):
            raise ValueError(f"'affected' must be a string, got {affected!r}")
        _parse_specifier(affected)
        if fixed is not None:
            if not isinstance(fixed, str):
                raise ValueError(f"'fixed' must be a version or null, got {fixed!r}")
            parse_version(fixed)
    except ValueError as err:
        raise ParseError(f"{where}: {err}") from err
    return Advisory(ident, normalize_name(package), affected, fixed, summary)


def parse_advisories(text: str) -> list[Advisory]:
    """Return the advisories of a JSON document: a list of objects with the keys
    ``id``, ``package``, ``affected``, ``fixed`` (a version or null) and ``summary``.

    Raises ParseError for invalid JSON (naming the line) and for an advisory that lacks a key or
    has a malformed value (naming its position, from 1, and its id).
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise ParseError(f"line {err.lineno}: not valid JSON ({err.msg})") from err
    if not isinstance(document, list):
        raise ParseError("expected a JSON list of advisories")
    return [_advisory(entry, f"advisory {index}") for index, entry in enumerate(document, start=1)]


def scan(pins: Mapping[str, str], advisories: Iterable[Advisory]) -> list[Finding]:
    """Return a finding for each advisory that affects a pinned version.

    Package names may be spelled any way, in ``pins`` and in the advisories alike. The findings
    name packages in their normalized form and are sorted by package, then advisory id.
    """
    versions = {normalize_name(name): version for name, version in pins.items()}
    findings = []
    for advisory in advisories:
        package = normalize_name(advisory.package)
        version = versions.get(package)
        if version is not None and version_matches(version, advisory.affected):
            findings.append(
                Finding(package, version, advisory.id, advisory.fixed, advisory.summary)
            )
    findings.sort(key=lambda finding: (finding.package, finding.advisory_id))
    return findings


def _load(path: str, parse: Callable[[str], T]) -> T:
    """Read the file at ``path`` and parse it; a ParseError's message starts with the path."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise ParseError(f"{path}: cannot read ({err.strerror})") from err
    except UnicodeDecodeError as err:
        raise ParseError(f"{path}: cannot read (not UTF-8 text)") from err
    try:
        return parse(text)
    except ParseError as err:
        raise ParseError(f"{path}: {err}") from err


def main(argv: Sequence[str] | None = None) -> int:
    """Scan LOCKFILE against ADVISORIES: return 1 if a pin is vulnerable, 0 if not, 2 on errors."""
    parser = argparse.ArgumentParser(
        prog="scan.py", description="Report pinned packages with known vulnerabilities."
    )
    parser.add_argument("lockfile", help="a requirements.lock of name==version lines")
    parser.add_argument("advisories", help="a JSON list of advisories")
    args = parser.parse_args(argv)
    try:
        pins = _load(args.lockfile, parse_lock)
        advisories = _load(args.advisories, parse_advisories)
    except ParseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    findings = scan(pins, advisories)
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
