"""Tests for loading settings from the environment and from secret files.

Every secret in these tests is a value that appears nowhere else, so a test can look for it
in every text the code produces: reprs, messages, tracebacks, log lines.
"""

from __future__ import annotations

import copy
import logging
import os
import pickle
import traceback
from pathlib import Path

import pytest
from pygrade_graders.compare import assert_same

from secret_settings import (
    InsecureSecretFileError,
    InvalidSettingError,
    MissingSettingError,
    Secret,
    Settings,
    SettingsError,
    load_settings,
    read_secret,
)

DB_URL = "postgres://billing:pw-41f9@db/billing"
TOKEN = "tok-7d21c0ffee"
ENV = {"DATABASE_URL": DB_URL, "API_TOKEN": TOKEN}


def write_secret(folder: Path, name: str, text: str, mode: int = 0o600) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def everything_shown(error: BaseException) -> str:
    """What an error shows of itself: its repr, and the message of every exception its
    traceback prints (its cause or the error it happened in, and theirs)."""
    shown = [repr(error)]
    current: BaseException | None = error
    while current is not None:
        shown += traceback.format_exception_only(current)
        chained = None if current.__suppress_context__ else current.__context__
        current = current.__cause__ or chained
    return "\n".join(shown)


# --- Secret -------------------------------------------------------------------------------


def test_a_secret_reveals_its_value_only_when_asked() -> None:
    assert_same(Secret(TOKEN).reveal(), TOKEN)


@pytest.mark.weight(2)
def test_a_secret_never_shows_its_value() -> None:
    secret = Secret(TOKEN)

    shown = [
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        f"{secret:>30}",
        "%s and %r" % (secret, secret),
        repr([secret]),
        repr({"token": secret}),
    ]

    for text in shown:
        assert type(text) is str
        assert TOKEN not in text, f"the secret showed in {text!r}"
    assert_same(str(secret), "**********")
    assert_same(repr(secret), "Secret('**********')")
    assert_same(f"[{secret:>12}]", "[  **********]")


def test_a_secret_cannot_be_pickled_or_copied() -> None:
    secret = Secret(TOKEN)

    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(TypeError):
        copy.copy(secret)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (TOKEN, True),
        (TOKEN + "x", False),
        (TOKEN[:-1], False),
        (TOKEN[:-1] + "f", False),
        ("", False),
        ("TOK-7D21C0FFEE", False),
    ],
)
def test_matches_compares_the_value(candidate: str, expected: bool) -> None:
    assert_same(Secret(TOKEN).matches(candidate), expected)


def test_matches_takes_any_text() -> None:
    secret = Secret("pässwört-✓")

    assert_same(secret.matches("pässwört-✓"), True)
    assert_same(secret.matches("passwort-?"), False)
    assert_same(Secret("").matches(""), True)


def test_the_settings_never_show_their_secrets(caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings({**ENV, "SENTRY_DSN": "https://k-55aa@sentry/1"})

    with caplog.at_level(logging.INFO):
        logging.getLogger("billing").info("loaded %s", settings)

    for text in (repr(settings), str(settings), caplog.text):
        for value in (DB_URL, TOKEN, "k-55aa"):
            assert value not in text, f"{value!r} showed in {text!r}"


# --- from the environment -----------------------------------------------------------------


@pytest.mark.weight(2)
def test_settings_come_from_the_environment_with_their_defaults() -> None:
    settings = load_settings(ENV)

    assert isinstance(settings, Settings)
    assert isinstance(settings.database_url, Secret) and isinstance(settings.api_token, Secret)
    assert_same(settings.database_url.reveal(), DB_URL)
    assert_same(settings.api_token.reveal(), TOKEN)
    assert_same((settings.sentry_dsn, settings.port, settings.debug), (None, 8080, False))


def test_the_settings_defaults() -> None:
    settings = Settings(database_url=Secret(DB_URL), api_token=Secret(TOKEN))

    assert_same((settings.sentry_dsn, settings.port, settings.debug), (None, 8080, False))


def test_optional_settings_are_read_when_set() -> None:
    settings = load_settings({**ENV, "SENTRY_DSN": "https://k@s/1", "PORT": "9000", "DEBUG": "yes"})

    assert settings.sentry_dsn is not None
    assert_same(settings.sentry_dsn.reveal(), "https://k@s/1")
    assert_same((settings.port, settings.debug), (9000, True))


def test_an_empty_variable_is_not_set() -> None:
    settings = load_settings({**ENV, "SENTRY_DSN": "", "PORT": "", "DEBUG": ""})

    assert_same((settings.sentry_dsn, settings.port, settings.debug), (None, 8080, False))


def test_the_settings_are_frozen() -> None:
    settings = load_settings(ENV)

    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", 1), ("65535", 65535), ("080", 80), ("443", 443)]
)
def test_port_accepts_1_to_65535(raw: str, expected: int) -> None:
    assert_same(load_settings({**ENV, "PORT": raw}).port, expected)


@pytest.mark.weight(2)
@pytest.mark.parametrize("raw", ["0", "65536", "-1", "+80", " 80", "80.0", "8_080", "http", "٨٠"])
def test_a_bad_port_is_refused_without_its_value(raw: str) -> None:
    with pytest.raises(InvalidSettingError) as caught:
        load_settings({**ENV, "PORT": raw})

    assert_same(caught.value.name, "PORT")
    assert_same(str(caught.value), "PORT must be a whole number from 1 to 65535")
    assert isinstance(caught.value, SettingsError)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("TRUE", True), ("Yes", True), ("1", True)]
    + [("false", False), ("No", False), ("0", False)],
)
def test_debug_reads_the_usual_words(raw: str, expected: bool) -> None:
    assert_same(load_settings({**ENV, "DEBUG": raw}).debug, expected)


@pytest.mark.parametrize("raw", ["on", "2", "y", "t", "enabled"])
def test_a_bad_debug_value_is_refused(raw: str) -> None:
    with pytest.raises(InvalidSettingError) as caught:
        load_settings({**ENV, "DEBUG": raw})

    assert_same(caught.value.name, "DEBUG")
    assert_same(str(caught.value), "DEBUG must be one of true, false, yes, no, 1 or 0")


@pytest.mark.weight(2)
def test_a_bad_debug_value_leaks_nowhere() -> None:
    with pytest.raises(InvalidSettingError) as caught:
        load_settings({**ENV, "DEBUG": "hunter2-in-the-wrong-variable"})

    assert "hunter2" not in everything_shown(caught.value), (
        "the value shows in the traceback: raise the error `from None`"
    )


def test_a_bad_port_leaks_nowhere() -> None:
    with pytest.raises(InvalidSettingError) as caught:
        load_settings({**ENV, "PORT": "pw-port-13"})

    assert "pw-port-13" not in everything_shown(caught.value)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, ("database_url", "api_token")),
        ({"API_TOKEN": TOKEN}, ("database_url",)),
        ({"DATABASE_URL": DB_URL, "API_TOKEN": ""}, ("api_token",)),
    ],
)
def test_missing_required_settings_are_all_named(
    env: dict[str, str], names: tuple[str, ...]
) -> None:
    with pytest.raises(MissingSettingError) as caught:
        load_settings({**env, "SENTRY_DSN": "https://k-77@s/1"})

    assert_same(caught.value.names, names)
    assert_same(str(caught.value), f"missing required settings: {', '.join(names)}")
    assert isinstance(caught.value, SettingsError)
    shown = everything_shown(caught.value)
    for value in (DB_URL, TOKEN, "k-77"):
        assert value not in shown


def test_missing_settings_are_reported_before_a_bad_port() -> None:
    with pytest.raises(MissingSettingError):
        load_settings({"API_TOKEN": TOKEN, "PORT": "nope"})


# --- from secret files --------------------------------------------------------------------


@pytest.mark.weight(2)
def test_secrets_come_from_files_and_a_file_wins(tmp_path: Path) -> None:
    write_secret(tmp_path, "database_url", "postgres://from-file\n")
    write_secret(tmp_path, "sentry_dsn", "https://dsn-from-file", mode=0o400)

    settings = load_settings({**ENV, "SENTRY_DSN": "https://dsn-from-env"}, tmp_path)

    assert settings.sentry_dsn is not None
    assert_same(settings.database_url.reveal(), "postgres://from-file")
    assert_same(settings.api_token.reveal(), TOKEN, "no file: the environment's value")
    assert_same(settings.sentry_dsn.reveal(), "https://dsn-from-file")


def test_required_secrets_may_come_from_files_alone(tmp_path: Path) -> None:
    write_secret(tmp_path, "database_url", DB_URL)
    write_secret(tmp_path, "api_token", TOKEN)

    settings = load_settings({}, tmp_path)

    assert_same((settings.database_url.reveal(), settings.api_token.reveal()), (DB_URL, TOKEN))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("s3cret\n", "s3cret"),
        ("s3cret\r\n", "s3cret"),
        (" s3 cret \n\n", " s3 cret "),
        ("s3cret", "s3cret"),
    ],
)
def test_only_trailing_newlines_are_taken_off(tmp_path: Path, text: str, value: str) -> None:
    write_secret(tmp_path, "api_token", text)

    secret = read_secret("api_token", {}, tmp_path)

    assert secret is not None
    assert_same(secret.reveal(), value)


def test_read_secret_returns_none_when_nothing_is_set(tmp_path: Path) -> None:
    assert_same(read_secret("api_token", {"API_TOKEN": ""}, tmp_path), None)
    assert_same(read_secret("api_token", {}, None), None)
    assert_same(read_secret("api_token", {}, tmp_path / "no-such-folder"), None)


def test_without_a_secrets_folder_only_the_environment_counts(tmp_path: Path) -> None:
    write_secret(tmp_path, "api_token", "ignored")

    secret = read_secret("api_token", {"API_TOKEN": TOKEN}, None)

    assert secret is not None
    assert_same(secret.reveal(), TOKEN)


@pytest.mark.weight(3)
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o620, 0o602, 0o610, 0o601, 0o660, 0o777])
def test_a_secret_file_open_to_group_or_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = write_secret(tmp_path, "api_token", "leaky-9f3e\n", mode)

    with pytest.raises(InsecureSecretFileError) as caught:
        load_settings(ENV, tmp_path)

    assert_same(caught.value.path, path)
    assert_same(caught.value.mode, mode)
    assert_same(
        str(caught.value),
        f"secret file {path} is open to group or others (mode {mode:#o}): run chmod 600 {path}",
    )
    assert "leaky-9f3e" not in everything_shown(caught.value)
    assert isinstance(caught.value, SettingsError)


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_a_secret_file_for_its_owner_alone_is_read(tmp_path: Path, mode: int) -> None:
    write_secret(tmp_path, "api_token", "owner-only", mode)

    secret = read_secret("api_token", {}, tmp_path)

    assert secret is not None
    assert_same(secret.reveal(), "owner-only")


def test_a_linked_secret_file_is_judged_by_the_file_it_links_to(tmp_path: Path) -> None:
    # Kubernetes mounts each secret as a symbolic link into a hidden data folder.
    data = tmp_path / "..data"
    data.mkdir()
    write_secret(data, "api_token", "linked-token")
    (tmp_path / "api_token").symlink_to(Path("..data") / "api_token")

    secret = read_secret("api_token", {}, tmp_path)

    assert secret is not None
    assert_same(secret.reveal(), "linked-token")


def test_a_linked_secret_file_open_to_others_is_refused(tmp_path: Path) -> None:
    write_secret(tmp_path, "real", "linked-token", 0o644)
    (tmp_path / "api_token").symlink_to("real")

    with pytest.raises(InsecureSecretFileError) as caught:
        read_secret("api_token", {}, tmp_path)

    assert_same(caught.value.mode, 0o644)


@pytest.mark.parametrize("text", ["", "\n", "\r\n\n"])
def test_an_empty_secret_file_is_refused(tmp_path: Path, text: str) -> None:
    path = write_secret(tmp_path, "api_token", text)

    with pytest.raises(InvalidSettingError) as caught:
        load_settings(ENV, tmp_path)

    assert_same(caught.value.name, "api_token")
    assert_same(str(caught.value), f"api_token must be set: the secret file {path} is empty")


def test_the_secret_files_are_not_changed(tmp_path: Path) -> None:
    path = write_secret(tmp_path, "api_token", "keep-me\n", 0o400)

    load_settings(ENV, tmp_path)

    assert_same(path.read_text(encoding="utf-8"), "keep-me\n")
    assert_same(os.stat(path).st_mode & 0o777, 0o400)
