"""Load a small `key = value` configuration format with helpful errors."""

import sys
from collections.abc import Iterable

ConfigValue = int | str | bool


class ConfigError(Exception):
    """Base class of every error raised while loading a configuration."""


class ConfigSyntaxError(ConfigError):
    """A line that is not a comment, blank, or ``key = value``."""

    line_number: int
    line: str

    def __init__(self, line_number: int, line: str) -> None:
        super().__init__(f"line {line_number}: expected 'key = value', got {line!r}")
        self.line_number = line_number
        self.line = line


class InvalidValueError(ConfigError):
    """A value that is not an integer, ``true``/``false`` or a quoted string."""

    key: str
    value: str

    def __init__(self, key: str, value: str) -> None:
        super().__init__(
            f"invalid value for {key!r}: {value!r} (not an int, bool or quoted string)"
        )
        self.key = key
        self.value = value


class MissingKeyError(ConfigError):
    """A required key that does not appear in the configuration."""

    key: str

    def __init__(self, key: str) -> None:
        super().__init__(f"missing required key {key!r}")
        self.key = key


def parse_value(key: str, raw: str) -> ConfigValue:
    """Convert the text after ``=`` into a Python value.

    Raises:
        InvalidValueError: chained from the ``ValueError`` raised by ``int()``
            when ``raw`` is neither quoted, ``true``/``false`` nor an integer.
    """
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    if raw == "true":
        return True
    if raw == "false":
        return False
    try:
        return int(raw)
    except ValueError as err:
        raise InvalidValueError(key, raw) from err


def load_config(text: str, required: Iterable[str] = ()) -> dict[str, ConfigValue]:
    """Parse ``key = value`` lines into a dict and check the required keys.

    Raises:
        ConfigSyntaxError: for a line that is not ``key = value``.
        InvalidValueError: for a value of no known type.
        MissingKeyError: for the first key of ``required`` that is absent.
    """
    config: dict[str, ConfigValue] = {}
    for line_number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        key, equals, raw_value = line.partition("=")
        key = key.strip()
        if not equals or not key.isidentifier():
            raise ConfigSyntaxError(line_number, line)
        config[key] = parse_value(key, raw_value.strip())
    for key in required:
        if key not in config:
            raise MissingKeyError(key)
    return config


def main() -> None:
    """Check the configuration on stdin; the arguments are the required keys.

    Prints ``ok: N keys``, or ``error: <message>`` and exits with code 1.
    """
    try:
        config = load_config(sys.stdin.read(), sys.argv[1:])
    except ConfigError as err:
        print(f"error: {err}")
        sys.exit(1)
    else:
        print(f"ok: {len(config)} keys")


if __name__ == "__main__":
    main()
