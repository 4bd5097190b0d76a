"""Release notes from conventional commit messages."""

from __future__ import annotations

import re
from collections.abc import Iterable

# `type(scope)!: subject`, as the Conventional Commits specification writes a subject line.
SUBJECT = re.compile(r"(?P<type>[a-z]+)(?:\((?P<scope>[^)]*)\))?(?P<breaking>!)?: (?P<text>.+)")
SECTIONS = {"feat": "Features", "fix": "Fixes"}
BREAKING = "Breaking changes"


def release_notes(version: str, subjects: Iterable[str]) -> str:
    """The Markdown notes of `version` from commit subject lines.

    Breaking changes come first, then features, then fixes, each in the order the commits
    came; other types (chore, docs, ...) and lines that are not conventional are left out.
    """
    sections: dict[str, list[str]] = {BREAKING: [], "Features": [], "Fixes": []}
    for line in subjects:
        found = SUBJECT.fullmatch(line.strip())
        if found is None:
            continue
        kind, text = found["type"], found["text"].strip()
        if found["breaking"]:
            sections[BREAKING].append(text)
        elif kind in SECTIONS:
            sections[SECTIONS[kind]].append(text)
    lines = [f"## {version}"]
    for title, entries in sections.items():
        if entries:
            lines += ["", f"### {title}", *(f"- {entry}" for entry in entries)]
    if len(lines) == 1:
        lines += ["", "No user-facing changes."]
    return "\n".join(lines) + "\n"
