"""Lays a fixture's files into a workspace the way the tests do (`tests/common/mod.rs`).

A fixture holds only what it does differently from its exercise's reference solution: a line
`# {{REFERENCE}}` in a learner file stands for the reference's file of the same name. The
reference's closing `if __name__ == "__main__":` block goes after the fixture's own lines, so
that what they change is in place when the file runs as a program.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = "# {{REFERENCE}}"
MAIN_BLOCK = '\nif __name__ == "__main__":'


def with_reference(text: str, solution: str) -> str:
    """`text` with its `# {{REFERENCE}}` line replaced by `solution`."""
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.rstrip() == REFERENCE)
    before, after = "".join(lines[:at]), "".join(lines[at + 1 :])
    split = solution.find(MAIN_BLOCK) + 1
    body, main = (solution[:split], solution[split:]) if split else (solution, "")
    if not after.strip() or not main:
        return before + body + main + after
    return before + body.rstrip() + "\n" + after + "\n\n" + main


def lay(fixture: Path, target: Path, exercise: str) -> None:
    """Copies the learner files in `fixture` (all but a case's case.toml) into `target`, the
    folder of `exercise` in a workspace, with the reference in place of each placeholder."""
    shutil.copytree(fixture, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("case.toml"))
    reference = ROOT / "exercises" / exercise / "reference"
    for path in target.rglob("*"):
        try:
            text = path.read_text(encoding="utf-8")
        except (IsADirectoryError, UnicodeDecodeError):
            continue
        if REFERENCE in text.splitlines():
            solution = (reference / path.relative_to(target)).read_text(encoding="utf-8")
            path.write_text(with_reference(text, solution), encoding="utf-8")
