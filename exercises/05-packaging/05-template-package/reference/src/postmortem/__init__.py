"""The team's postmortem template, shipped inside the package, and how to fill it in."""

from __future__ import annotations

from importlib.resources import files
from string import Template

TEMPLATE = "postmortem.md"


def template_text() -> str:
    """The template as the package ships it, read from the installed package's data."""
    return files(__name__).joinpath("templates", TEMPLATE).read_text(encoding="utf-8")


def placeholders() -> list[str]:
    """The template's placeholder names, each once, in the order they first appear."""
    return Template(template_text()).get_identifiers()


def render(*, title: str, severity: str, date: str, owner: str) -> str:
    """The template with every placeholder filled in (`$$` becomes `$`)."""
    return Template(template_text()).substitute(title=title, severity=severity, date=date, owner=owner)
