"""A service's settings, from environment variables and secret files.

Secrets come from files in a secrets folder (``/run/secrets/api_token``, as Docker and
Kubernetes mount them) or from the environment (``API_TOKEN``); the file wins. They are
held in ``Secret``, which never shows its value, and no error ever contains one.
"""

from __future__ import annotations

import hmac
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

MASK = "**********"
PORT_RANGE = range(1, 65536)
BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
# Permission bits for the file's group and for others: a secret file may have none of them.
GROUP_OR_OTHERS = stat.S_IRWXG | stat.S_IRWXO


class Secret:
    """A secret value that never shows itself in a repr, a str, a format or a pickle."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the value, for the one place that really needs it."""
        return self._value

    def matches(self, candidate: str) -> bool:
        """Return whether ``candidate`` is the value, in time that does not depend on where
        they differ."""
        return hmac.compare_digest(self._value.encode(), candidate.encode())

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled or copied")


class SettingsError(Exception):
    """The settings cannot be loaded. No message ever contains a value."""


class MissingSettingError(SettingsError):
    """Required settings are not set, neither as a file nor in the environment."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(f"missing required settings: {', '.join(names)}")
        self.names = names


class InsecureSecretFileError(SettingsError):
    """A secret file that its group or others may use."""

    def __init__(self, path: Path, mode: int) -> None:
        super().__init__(
            f"secret file {path} is open to group or others (mode {mode:#o}): run chmod 600 {path}"
        )
        self.path = path
        self.mode = mode


class InvalidSettingError(SettingsError):
    """A setting whose value cannot be used; the message says what is expected."""

    def __init__(self, name: str, expected: str) -> None:
        super().__init__(f"{name} must be {expected}")
        self.name = name


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

    Returns None when neither is set (an empty variable is not set).

    Raises:
        InsecureSecretFileError: the file has any permission for its group or others.
        InvalidSettingError: the file is empty.
    """
    if secrets_dir is not None:
        path = secrets_dir / name
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            pass
        else:
            if mode & GROUP_OR_OTHERS:
                raise InsecureSecretFileError(path, mode)
            value = path.read_text(encoding="utf-8").rstrip("\r\n")
            if not value:
                raise InvalidSettingError(name, f"set: the secret file {path} is empty")
            return Secret(value)
    value = env.get(name.upper(), "")
    return Secret(value) if value else None


def load_settings(env: Mapping[str, str], secrets_dir: Path | None = None) -> Settings:
    """Load the settings from ``env`` (such as ``os.environ``) and ``secrets_dir``.

    Raises:
        MissingSettingError: naming every required secret that is not set.
        InsecureSecretFileError, InvalidSettingError: for the first setting that is wrong.
    """
    database_url = read_secret("database_url", env, secrets_dir)
    api_token = read_secret("api_token", env, secrets_dir)
    sentry_dsn = read_secret("sentry_dsn", env, secrets_dir)
    if database_url is None or api_token is None:
        missing = (("database_url", database_url), ("api_token", api_token))
        raise MissingSettingError(tuple(name for name, value in missing if value is None))
    return Settings(
        database_url=database_url,
        api_token=api_token,
        sentry_dsn=sentry_dsn,
        port=_port(env.get("PORT", "")),
        debug=_debug(env.get("DEBUG", "")),
    )


def _port(raw: str) -> int:
    if not raw:
        return 8080
    if not (raw.isascii() and raw.isdigit()) or int(raw) not in PORT_RANGE:
        _invalid("PORT", "a whole number from 1 to 65535")
    return int(raw)


def _debug(raw: str) -> bool:
    if not raw:
        return False
    try:
        return BOOLEANS[raw.lower()]
    except KeyError:
        _invalid("DEBUG", "one of true, false, yes, no, 1 or 0")


def _invalid(name: str, expected: str) -> NoReturn:
    # `from None`: the error being handled (a KeyError holding the value) must not be
    # chained to this one, or its value would show in the traceback.
    raise InvalidSettingError(name, expected) from None
