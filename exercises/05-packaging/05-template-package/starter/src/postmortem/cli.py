"""The `postmortem` command: `postmortem render TITLE ...` and `postmortem placeholders`."""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with `argv` (the process's arguments by default); its exit status."""
    raise NotImplementedError
