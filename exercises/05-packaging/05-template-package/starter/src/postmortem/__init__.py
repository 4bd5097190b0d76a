"""The team's postmortem template, shipped inside the package, and how to fill it in."""

from __future__ import annotations

TEMPLATE = "postmortem.md"


def template_text() -> str:
    """The template as the package ships it, read from the installed package's data."""
    raise NotImplementedError


def placeholders() -> list[str]:
    """The template's placeholder names, each once, in the order they first appear."""
    raise NotImplementedError


def render(*, title: str, severity: str, date: str, owner: str) -> str:
    """The template with every placeholder filled in (`$$` becomes `$`)."""
    raise NotImplementedError
