"""The `relnotes` command: `relnotes VERSION < subjects` prints the release notes."""

from __future__ import annotations

import re
import sys
from importlib.metadata import version

from relnotes import release_notes

DISTRIBUTION = "acme-relnotes"
SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


def main(argv: list[str] | None = None) -> int:
    """Run the command with `argv` (the process's arguments by default); its exit status."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        print(f"relnotes {version(DISTRIBUTION)}")
        return 0
    if len(args) != 1 or SEMVER.fullmatch(args[0]) is None:
        print("usage: relnotes VERSION < commit-subjects (VERSION as 1.4.0)", file=sys.stderr)
        return 2
    sys.stdout.write(release_notes(args[0], sys.stdin))
    return 0
