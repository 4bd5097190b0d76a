"""The `relnotes` command: `relnotes VERSION < subjects` prints the release notes."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """Run the command with `argv` (the process's arguments by default); its exit status."""
    raise NotImplementedError
