"""A service's settings, from environment variables and secret files.

Secrets come from files in a secrets folder (``/run/secrets/api_token``, as Docker and
Kubernetes mount them) or from the environment (``API_TOKEN``); the file wins. They are
held in ``Secret``, which never shows its value, and no error ever contains one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

MASK = "**********"


class Secret:
    """A secret value that never shows itself in a repr, a str, a format or a pickle.

    ``str(secret)`` is ``MASK``, ``repr(secret)`` is ``Secret('**********')``, and a
    format spec applies to the mask: ``f"{secret:>12}"`` is ``"  **********"``.
    """

    def __init__(self, value: str) -> None:
        raise NotImplementedError

    def reveal(self) -> str:
        """Return the value, for the one place that really needs it."""
        raise NotImplementedError

    def matches(self, candidate: str) -> bool:
        """Return whether ``candidate`` is the value, in constant time.

        ``==`` on strings stops at the first character that differs, so how long it
        takes tells an attacker how much of a guessed token was right. Compare with
        ``hmac.compare_digest`` instead (on bytes: it refuses text that is not ASCII).
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        raise NotImplementedError

    def __format__(self, spec: str) -> str:
        raise NotImplementedError

    def __reduce__(self) -> NoReturn:
        """Refuse to be pickled or copied: raise ``TypeError``.

        A pickle holds the value in clear, and ends up in caches and task queues.
        """
        raise NotImplementedError


class SettingsError(Exception):
    """The settings cannot be loaded. No message ever contains a value."""


class MissingSettingError(SettingsError):
    """Required settings are not set, neither as a file nor in the environment."""

    def __init__(self, names: tuple[str, ...]) -> None:
        """Keep ``names``; the message is ``missing required settings: database_url, api_token``."""
        raise NotImplementedError


class InsecureSecretFileError(SettingsError):
    """A secret file that its group or others may use."""

    def __init__(self, path: Path, mode: int) -> None:
        """Keep ``path`` and ``mode`` (the permission bits). The message is::

        secret file /run/secrets/api_token is open to group or others (mode 0o644): run chmod 600 /run/secrets/api_token
        """
        raise NotImplementedError


class InvalidSettingError(SettingsError):
    """A setting whose value cannot be used; the message says what is expected."""

    def __init__(self, name: str, expected: str) -> None:
        """Keep ``name``; the message is ``f"{name} must be {expected}"``."""
        raise NotImplementedError


@dataclass(frozen=True)
class Settings:
    """The settings of the billing service."""

    database_url: Secret
    api_token: Secret
    sentry_dsn: Secret | None = None
    port: int = 8080
    debug: bool = False


def read_secret(name: str, env: Mapping[str, str], secrets_dir: Path | None) -> Secret | None:
    """Return the secret ``name`` from ``secrets_dir / name``, else from ``env[NAME]``.

    - The file counts when ``secrets_dir`` is given and the file exists (a folder that
      does not exist has no files). A symbolic link is judged by the file it links to.
    - A file with any permission bit for its group or others (``mode & 0o077``) raises
      ``InsecureSecretFileError`` before it is read.
    - Its text (UTF-8) loses its trailing newlines (``\\n``, ``\\r\\n``) and nothing
      else. A file left empty raises ``InvalidSettingError(name, f"set: the secret file
      {path} is empty")``.
    - Else the variable ``name.upper()`` of ``env``; an empty variable is not set.

    Returns None when the secret is set nowhere.
    """
    raise NotImplementedError


def load_settings(env: Mapping[str, str], secrets_dir: Path | None = None) -> Settings:
    """Load the settings from ``env`` (such as ``os.environ``) and ``secrets_dir``.

    In this order:

    1. the secrets ``database_url``, ``api_token`` (both required) and ``sentry_dsn``
       (optional), with ``read_secret``;
    2. if any required secret is missing, ``MissingSettingError`` naming every missing
       one, in that order;
    3. ``PORT``: a whole number written with the digits 0-9 alone, from 1 to 65535;
       else ``InvalidSettingError("PORT", "a whole number from 1 to 65535")``;
    4. ``DEBUG``: ``true``, ``yes``, ``1``, ``false``, ``no`` or ``0`` in any case; else
       ``InvalidSettingError("DEBUG", "one of true, false, yes, no, 1 or 0")``.

    A variable that is missing or empty takes the default of ``Settings``. No error may
    contain a value, not even through the error it was raised while handling.
    """
    raise NotImplementedError
