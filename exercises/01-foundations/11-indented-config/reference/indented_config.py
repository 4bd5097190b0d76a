"""Read a small configuration format whose blocks nest by indentation, as Python's do, into
nested dicts whose keys can become attribute names."""

from __future__ import annotations

import keyword
import re
from types import SimpleNamespace
from typing import TypeAlias

Config: TypeAlias = "dict[str, str | Config]"

# A comment starts at a "#" that begins the text or follows a space or tab.
COMMENT = re.compile(r"(?:^|[ \t])#.*")


class ConfigError(ValueError):
    """A line of the configuration that cannot be read."""

    def __init__(self, line_number: int, reason: str) -> None:
        super().__init__(f"line {line_number}: {reason}")
        self.line_number = line_number
        self.reason = reason


def check_key(key: str, line_number: int) -> None:
    """Refuse a key that could not be an attribute name."""
    if keyword.iskeyword(key):
        raise ConfigError(line_number, f"key {key!r} is a Python keyword")
    if not key.isidentifier():
        raise ConfigError(line_number, f"key {key!r} is not an identifier")


def parse_config(text: str) -> Config:
    """The configuration ``text`` as nested dicts; see the README for the format."""
    root: Config = {}
    # The open blocks, innermost last: the indentation of their lines, and their dict.
    blocks: list[tuple[int, Config]] = [(0, root)]
    opened: tuple[int, str, Config] | None = None  # a block waiting for its first line
    for number, line in enumerate(text.splitlines(), start=1):
        content = COMMENT.sub("", line).rstrip()
        if not content.strip():
            continue
        body = content.lstrip(" \t")
        margin = content[: len(content) - len(body)]
        if "\t" in margin:
            raise ConfigError(number, "tab in indentation")
        indent = len(margin)
        if opened is not None:
            opened_at, name, block = opened
            if indent <= blocks[-1][0]:
                raise ConfigError(opened_at, f"block {name!r} is empty")
            blocks.append((indent, block))
            opened = None
        elif indent > blocks[-1][0]:
            raise ConfigError(number, "unexpected indent")
        else:
            while indent < blocks[-1][0]:
                blocks.pop()
            if indent != blocks[-1][0]:
                raise ConfigError(number, "dedent does not match any outer block")
        key, colon, value = body.partition(":")
        if not colon:
            raise ConfigError(number, "expected 'key: value' or 'key:'")
        key, value = key.strip(), value.strip()
        check_key(key, number)
        target = blocks[-1][1]
        if key in target:
            raise ConfigError(number, f"duplicate key {key!r}")
        if value:
            target[key] = value
        else:
            target[key] = block = {}
            opened = (number, key, block)
    if opened is not None:
        raise ConfigError(opened[0], f"block {opened[1]!r} is empty")
    return root


def as_namespace(config: Config) -> SimpleNamespace:
    """The configuration with attribute access: ``settings.database.host``."""
    return SimpleNamespace(
        **{
            key: as_namespace(value) if isinstance(value, dict) else value
            for key, value in config.items()
        }
    )
