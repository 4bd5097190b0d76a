"""Release notes from conventional commit messages."""

from __future__ import annotations

from collections.abc import Iterable


def release_notes(version: str, subjects: Iterable[str]) -> str:
    """The Markdown notes of `version` from commit subject lines (see the README)."""
    raise NotImplementedError
