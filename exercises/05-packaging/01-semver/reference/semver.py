"""Parse, compare and bump Semantic Versioning 2.0.0 version numbers.

Usage:
    python semver.py bump minor 1.2.3        # prints 1.3.0
    python semver.py compare 1.0.0-rc.1 1.0.0  # prints <
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from dataclasses import dataclass, field

PARTS = ("major", "minor", "patch")

_NUMBER = re.compile(r"0|[1-9][0-9]*")  # no leading zeros
_IDENTIFIER = re.compile(r"[0-9A-Za-z-]+")


def _invalid(text: str, reason: str) -> ValueError:
    return ValueError(f"invalid version {text!r}: {reason}")


@functools.total_ordering
@dataclass(frozen=True)
class Version:
    """A version MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD].

    Pre-release identifiers made only of digits are stored as ``int``, the others
    as ``str``. Build metadata is kept but ignored by ``==`` and ordering.
    """

    major: int
    minor: int
    patch: int
    prerelease: tuple[int | str, ...] = ()
    build: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def parse(cls, text: str) -> Version:
        """Parse ``text``; raise ValueError explaining what is wrong with it."""
        rest, has_build, build_text = text.partition("+")
        core, has_prerelease, prerelease_text = rest.partition("-")

        numbers = core.split(".")
        if len(numbers) != 3:
            raise _invalid(text, "expected MAJOR.MINOR.PATCH")
        for number in numbers:
            if not _NUMBER.fullmatch(number):
                raise _invalid(text, f"{number!r} is not a number without leading zeros")
        major, minor, patch = (int(number) for number in numbers)

        prerelease: list[int | str] = []
        if has_prerelease:
            for identifier in prerelease_text.split("."):
                if not _IDENTIFIER.fullmatch(identifier):
                    raise _invalid(text, f"bad pre-release identifier {identifier!r}")
                if identifier.isdigit():
                    if not _NUMBER.fullmatch(identifier):
                        reason = f"numeric identifier {identifier!r} has a leading zero"
                        raise _invalid(text, reason)
                    prerelease.append(int(identifier))
                else:
                    prerelease.append(identifier)

        build: list[str] = []
        if has_build:
            for identifier in build_text.split("."):
                if not _IDENTIFIER.fullmatch(identifier):
                    raise _invalid(text, f"bad build identifier {identifier!r}")
                build.append(identifier)

        return cls(major, minor, patch, tuple(prerelease), tuple(build))

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(str(identifier) for identifier in self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def _precedence(self) -> tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]:
        """A tuple whose natural ordering is SemVer precedence."""
        # A release (no pre-release) sorts after all of its pre-releases.
        is_release = 0 if self.prerelease else 1
        # Numeric identifiers sort numerically and before alphanumeric ones;
        # a shorter list sorts first when all shared identifiers are equal.
        identifiers = tuple(
            (0, identifier, "") if isinstance(identifier, int) else (1, 0, identifier)
            for identifier in self.prerelease
        )
        return (self.major, self.minor, self.patch, is_release, identifiers)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._precedence() < other._precedence()

    def bump(self, part: str) -> Version:
        """Return the next version: ``part`` is "major", "minor" or "patch".

        Lower parts reset to 0; pre-release and build metadata are dropped.
        """
        if part == "major":
            return Version(self.major + 1, 0, 0)
        if part == "minor":
            return Version(self.major, self.minor + 1, 0)
        if part == "patch":
            return Version(self.major, self.minor, self.patch + 1)
        raise ValueError(f"unknown part {part!r}: expected one of {', '.join(PARTS)}")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="semver", description="Work with Semantic Versioning 2.0.0 version numbers."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    bump = commands.add_parser("bump", help="print VERSION with PART incremented")
    bump.add_argument("part", choices=PARTS, metavar="PART", help="major, minor or patch")
    bump.add_argument("version", metavar="VERSION")

    compare = commands.add_parser("compare", help="print <, = or > comparing A with B")
    compare.add_argument("a", metavar="A")
    compare.add_argument("b", metavar="B")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "bump":
            print(Version.parse(args.version).bump(args.part))
        else:
            a, b = Version.parse(args.a), Version.parse(args.b)
            print("<" if a < b else ">" if a > b else "=")
    except ValueError as error:
        print(f"semver: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
