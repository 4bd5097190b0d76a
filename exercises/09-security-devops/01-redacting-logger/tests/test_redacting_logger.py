"""Tests for the redacting logger exercise."""

from __future__ import annotations

import copy
import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pygrade_graders.compare import assert_same

from redact import JsonFormatter, MissingSecretError, load_secret, redact

LogFn = Callable[[], list[dict[str, Any]]]

# --- redact -------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "Password",
        "db_password",
        "GITHUB_TOKEN",
        "client_secret",
        "api_key",
        "Stripe_API_Key",
    ],
)
def test_redact_hides_values_whose_key_looks_secret(key: str) -> None:
    assert_same(redact({key: "hunter2", "user": "ada"}), {key: "***", "user": "ada"})


@pytest.mark.parametrize("key", ["user", "email", "api", "pass", "key", "url"])
def test_redact_keeps_values_whose_key_is_not_secret(key: str) -> None:
    assert_same(redact({key: "visible"}), {key: "visible"})


def test_redact_walks_nested_dicts_and_lists() -> None:
    document = {
        "service": "billing",
        "db": {"host": "db.local", "password": "pw1"},
        "users": [{"name": "ada", "token": "t1"}, {"name": "bob", "token": "t2"}],
        "matrix": [[{"secret": "s"}]],
    }

    assert_same(
        redact(document),
        {
            "service": "billing",
            "db": {"host": "db.local", "password": "***"},
            "users": [{"name": "ada", "token": "***"}, {"name": "bob", "token": "***"}],
            "matrix": [[{"secret": "***"}]],
        },
    )


def test_redact_hides_a_secret_value_of_any_type() -> None:
    document = {"secrets": {"a": 1, "b": [2, 3]}, "token": 12345, "api_key": None}

    assert_same(redact(document), {"secrets": "***", "token": "***", "api_key": "***"})


@pytest.mark.parametrize("value", [42, 3.5, "password", None, True, [1, "token"]])
def test_redact_returns_non_secret_data_unchanged(value: object) -> None:
    assert_same(redact(value), value)


def test_redact_does_not_modify_its_input() -> None:
    document = {"password": "pw", "nested": {"token": "t", "items": [{"secret": "s"}]}}
    original = copy.deepcopy(document)

    redact(document)

    assert_same(document, original, "redact must build a new structure, not edit the caller's data")


# --- JsonFormatter ------------------------------------------------------------


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, LogFn]]:
    """A logger using JsonFormatter, and a function returning its parsed output lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("shop.checkout")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)

    def lines() -> list[dict[str, Any]]:
        text = stream.getvalue()
        assert text.endswith("\n")
        return [json.loads(line) for line in text.splitlines()]

    yield logger, lines
    logger.removeHandler(handler)


def test_formatter_writes_one_json_line_per_record(logged: tuple[logging.Logger, LogFn]) -> None:
    logger, lines = logged

    logger.warning("payment of %d EUR failed", 30)
    logger.info("retrying")

    assert_same(
        lines(),
        [
            {"level": "WARNING", "logger": "shop.checkout", "message": "payment of 30 EUR failed"},
            {"level": "INFO", "logger": "shop.checkout", "message": "retrying"},
        ],
    )


@pytest.mark.weight(2)
def test_formatter_includes_extra_fields_redacted(logged: tuple[logging.Logger, LogFn]) -> None:
    logger, lines = logged

    context = {"user": "ada", "password": "hunter2", "session": {"token": "abc"}}
    logger.error("login failed", extra={"ctx": context, "attempt": 3})

    [line] = lines()
    assert_same(
        line,
        {
            "level": "ERROR",
            "logger": "shop.checkout",
            "message": "login failed",
            "ctx": {"user": "ada", "password": "***", "session": {"token": "***"}},
            "attempt": 3,
        },
    )


# --- load_secret --------------------------------------------------------------


def test_load_secret_returns_the_value() -> None:
    assert_same(load_secret("DB_PASSWORD", {"DB_PASSWORD": "s3cr3t", "HOME": "/root"}), "s3cr3t")


@pytest.mark.weight(2)
@pytest.mark.parametrize("env_value", [None, ""], ids=["missing", "empty"])
def test_missing_secret_error_names_the_secret_but_leaks_no_values(env_value: str | None) -> None:
    env = {"GITHUB_TOKEN": "ghp_abc123", "AWS_SECRET": "aws-xyz-789", "HOME": "/home/ada"}
    if env_value is not None:
        env["DB_PASSWORD"] = env_value

    with pytest.raises(MissingSecretError) as caught:
        load_secret("DB_PASSWORD", env)

    message, shown = str(caught.value), repr(caught.value)
    # Plain str, not a subclass whose `in` could answer as it likes.
    assert type(message) is str and type(shown) is str
    assert "DB_PASSWORD" in message, "the error should say which secret is missing"
    for leaked in ("ghp_abc123", "aws-xyz-789", "/home/ada"):
        assert leaked not in message and leaked not in shown, (
            f"the error message must not contain values from env, found {leaked!r}"
        )
