"""Parse, compare and bump Semantic Versioning 2.0.0 version numbers.

Usage:
    python semver.py bump minor 1.2.3        # prints 1.3.0
    python semver.py compare 1.0.0-rc.1 1.0.0  # prints <

The full rules are at https://semver.org/spec/v2.0.0.html (sections 2, 9, 10 and 11).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

PARTS = ("major", "minor", "patch")


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
        """Parse ``text``; raise ValueError explaining what is wrong with it.

        - MAJOR, MINOR and PATCH are non-negative integers without leading zeros.
        - An optional pre-release follows "-": dot-separated, non-empty identifiers
          of [0-9A-Za-z-]; numeric identifiers must not have leading zeros.
        - Optional build metadata follows "+": dot-separated, non-empty identifiers
          of [0-9A-Za-z-] (leading zeros allowed).
        - The error message starts with  invalid version '<text>':
        """
        raise NotImplementedError

    def __str__(self) -> str:
        """Render the version back to text: str(Version.parse(s)) == s."""
        raise NotImplementedError

    def __lt__(self, other: object) -> bool:
        """SemVer precedence (total_ordering derives <=, > and >= from this).

        Compare MAJOR, MINOR, PATCH numerically; then a pre-release sorts before
        the release; pre-release identifiers compare left to right: numbers
        numerically, numbers before words, words in ASCII order, and a shorter
        list first when all shared identifiers are equal. Build metadata is ignored.
        Return NotImplemented if ``other`` is not a Version.
        """
        raise NotImplementedError

    def bump(self, part: str) -> Version:
        """Return the next version: ``part`` is "major", "minor" or "patch".

        Lower parts reset to 0; pre-release and build metadata are dropped.
        Raise ValueError for any other ``part``.
        """
        raise NotImplementedError


def main(argv: list[str] | None = None) -> int:
    """Run the command line (argparse, prog="semver") and return the exit code.

    Subcommands:
        bump PART VERSION   print the bumped version          (PART: major/minor/patch)
        compare A B         print "<", "=" or ">" comparing A with B

    An invalid version prints "semver: error: <message>" to stderr and returns 2.
    ``argv`` is the argument list without the program name (None: use sys.argv).
    """
    raise NotImplementedError


if __name__ == "__main__":
    raise SystemExit(main())
