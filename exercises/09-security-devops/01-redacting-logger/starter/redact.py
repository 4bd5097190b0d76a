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


def is_secret_key(key: str) -> bool:
    """Return True if ``key`` names a secret.

    A key is secret if it contains one of SECRET_KEY_PARTS, ignoring case:
    ``"Password"``, ``"github_token"`` and ``"STRIPE_API_KEY"`` are secret,
    ``"user"`` and ``"api"`` are not.
    """
    raise NotImplementedError


def redact(value: object) -> object:
    """Return a copy of ``value`` with every secret replaced by ``"***"``.

    Dicts and lists are walked at any depth. In a dict, the value of a key that
    looks secret (see ``is_secret_key``) is replaced whatever it is, even a
    nested dict. Everything else is returned unchanged. The input is never
    modified: build new dicts and lists.

        redact({"user": "ada", "db": {"password": "pw"}})
        # {"user": "ada", "db": {"password": "***"}}
    """
    raise NotImplementedError


class JsonFormatter(logging.Formatter):
    """Format each log record as one line of JSON.

    The line has ``level`` (e.g. "INFO"), ``logger`` (the logger's name) and
    ``message`` (the message with its %-arguments filled in) keys, plus every
    field passed with ``extra=``, redacted:

        logger.info("login", extra={"ctx": {"user": "ada", "password": "pw"}})
        # {"level": "INFO", "logger": "app", "message": "login",
        #  "ctx": {"user": "ada", "password": "***"}}

    Fields passed with ``extra=`` become attributes of the LogRecord. To tell
    them apart from the standard attributes, compare against the attributes
    of a freshly made ``logging.LogRecord``.
    """

    def format(self, record: logging.LogRecord) -> str:
        raise NotImplementedError


class MissingSecretError(LookupError):
    """A required secret is not set."""


def load_secret(name: str, env: Mapping[str, str]) -> str:
    """Return the secret ``name`` from ``env`` (for example ``os.environ``).

    Raises MissingSecretError if it is missing or empty. The error message names
    the missing secret but never contains any value from ``env``.
    """
    raise NotImplementedError


def main() -> int:
    """Print each JSON line of standard input redacted, with sorted keys.

    Use ``json.dumps(redact(document), sort_keys=True)``. Blank lines are
    skipped. A line that is not valid JSON is reported on standard error as
    ``line N: not valid JSON, skipped`` (without its content, which may hold a
    secret) and skipped; the exit status is then 1, otherwise 0.
    """
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
