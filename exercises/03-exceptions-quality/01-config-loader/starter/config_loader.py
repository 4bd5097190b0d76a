"""Load a small `key = value` configuration format with helpful errors."""

import sys
from collections.abc import Iterable

ConfigValue = int | str | bool


class ConfigError(Exception):
    """Base class of every error raised while loading a configuration.

    Code that only wants to know "did loading fail?" catches this one class.
    """


class ConfigSyntaxError(ConfigError):
    """A line that is not a comment, blank, or ``key = value``."""

    line_number: int
    line: str

    def __init__(self, line_number: int, line: str) -> None:
        """Store ``line_number`` and ``line`` as attributes of the same names.

        The message (what ``str(err)`` returns) must be exactly::

            line 3: expected 'key = value', got 'name "demo"'

        Tip: pass the message to ``super().__init__`` and use ``{line!r}``.
        """
        raise NotImplementedError


class InvalidValueError(ConfigError):
    """A value that is not an integer, ``true``/``false`` or a quoted string."""

    key: str
    value: str

    def __init__(self, key: str, value: str) -> None:
        """Store ``key`` and ``value`` as attributes of the same names.

        The message must be exactly::

            invalid value for 'port': 'eighty' (not an int, bool or quoted string)
        """
        raise NotImplementedError


class MissingKeyError(ConfigError):
    """A required key that does not appear in the configuration."""

    key: str

    def __init__(self, key: str) -> None:
        """Store ``key`` as an attribute. The message must be exactly::

            missing required key 'port'
        """
        raise NotImplementedError


def parse_value(key: str, raw: str) -> ConfigValue:
    """Convert the text after ``=`` (already stripped) into a Python value.

    - ``"text"`` or ``'text'`` (matching quotes) -> the string between them;
    - ``true`` / ``false`` (lower-case) -> ``True`` / ``False``;
    - anything ``int()`` accepts -> that int.

    Raises:
        InvalidValueError: for anything else. Raise it *from* the
            ``ValueError`` that ``int()`` raised, so the original error is
            kept as ``__cause__``.
    """
    raise NotImplementedError


def load_config(text: str, required: Iterable[str] = ()) -> dict[str, ConfigValue]:
    """Parse ``key = value`` lines into a dict and check the required keys.

    - Blank lines and lines starting with ``#`` are ignored.
    - Spaces around the key and the value do not matter.
    - The key must be a valid identifier (``str.isidentifier``). A line
      without ``=`` or with a bad key raises ``ConfigSyntaxError`` (line
      numbers start at 1).
    - If a key appears twice, the last value wins.
    - After parsing, the first key of ``required`` that is missing raises
      ``MissingKeyError``.
    """
    raise NotImplementedError


def main() -> None:
    """Check the configuration on stdin; the arguments are the required keys.

    Print ``ok: N keys`` (N is the number of keys), or, if loading raised a
    ``ConfigError``, print ``error: <message>`` and exit with code 1
    (``sys.exit(1)``). Both go to standard output.
    """
    raise NotImplementedError


if __name__ == "__main__":
    main()
