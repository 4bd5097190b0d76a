"""Read a small configuration format whose blocks nest by indentation, as Python's do, into
nested dicts whose keys can become attribute names."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TypeAlias

Config: TypeAlias = "dict[str, str | Config]"


class ConfigError(ValueError):
    """A line of the configuration that cannot be read."""

    def __init__(self, line_number: int, reason: str) -> None:
        super().__init__(f"line {line_number}: {reason}")
        self.line_number = line_number
        self.reason = reason


def parse_config(text: str) -> Config:
    """The configuration ``text`` as nested dicts; see the README for the format.

    Raises ConfigError, with the number of the line at fault, for a tab in indentation, an
    unexpected indent, a dedent to no outer block's indentation, an empty block, a line that is
    no ``key: value`` or ``key:``, a duplicate key, and a key that is a Python keyword or not
    an identifier.
    """
    raise NotImplementedError


def as_namespace(config: Config) -> SimpleNamespace:
    """The configuration with attribute access: ``settings.database.host``."""
    raise NotImplementedError
