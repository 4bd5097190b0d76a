"""Keep secrets out of logs: redaction, a JSON log formatter and secret loading.

Run as a program, it reads one JSON document per line from standard input and
prints each one redacted.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping

SECRET_KEY_PARTS = ("password", "token", "secret", "api_key")
REDACTED = "***"

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))
) | {"message", "asctime"}


def is_secret_key(key: str) -> bool:
    """Return True if ``key`` names a secret, e.g. ``"Password"`` or ``"github_token"``."""
    lowered = key.lower()
    return any(part in lowered for part in SECRET_KEY_PARTS)


def redact(value: object) -> object:
    """Return a copy of ``value`` with every secret replaced by ``"***"``.

    Dicts and lists are walked at any depth. In a dict, the value of a key that
    looks secret (see ``is_secret_key``) is replaced whatever it is, even a
    nested dict. Everything else is returned unchanged. The input is never
    modified.
    """
    if isinstance(value, dict):
        return {
            key: REDACTED if isinstance(key, str) and is_secret_key(key) else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


class JsonFormatter(logging.Formatter):
    """Format each log record as one line of JSON.

    The line has ``level``, ``logger`` and ``message`` keys, plus every field
    passed with ``extra=``, redacted.
    """

    def format(self, record: logging.LogRecord) -> str:
        extras = {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD_RECORD_ATTRS
        }
        payload = {
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **extras,
        }
        return json.dumps(redact(payload), default=str)


class MissingSecretError(LookupError):
    """A required secret is not set."""


def load_secret(name: str, env: Mapping[str, str]) -> str:
    """Return the secret ``name`` from ``env`` (for example ``os.environ``).

    Raises MissingSecretError if it is missing or empty. The error message names
    the missing secret but never contains any value from ``env``.
    """
    value = env.get(name, "")
    if not value:
        raise MissingSecretError(f"required secret {name!r} is not set")
    return value


def main() -> int:
    """Print each JSON line of standard input redacted, with sorted keys.

    Blank lines are skipped. A line that is not valid JSON is reported on
    standard error (without its content, which may hold a secret) and skipped;
    the exit status is then 1, otherwise 0.
    """
    status = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
        except json.JSONDecodeError:
            print(f"line {number}: not valid JSON, skipped", file=sys.stderr)
            status = 1
            continue
        print(json.dumps(redact(document), sort_keys=True))
    return status


if __name__ == "__main__":
    sys.exit(main())
