"""Tests for config_loader.py."""

import io
import sys

import pytest
from pygrade_graders.compare import assert_same

from config_loader import (
    ConfigError,
    ConfigSyntaxError,
    InvalidValueError,
    MissingKeyError,
    load_config,
    main,
)

SAMPLE = """\
# web server settings
name = "demo site"
port = 8080

debug = false
workers=4
"""


def test_parses_ints_bools_and_quoted_strings() -> None:
    assert_same(
        load_config(SAMPLE),
        {"name": "demo site", "port": 8080, "debug": False, "workers": 4},
    )


def test_ignores_comments_blank_lines_and_surrounding_spaces() -> None:
    text = "\n   # a comment\n\t\n   verbose   =   true   \n#port = 1\n"
    assert_same(load_config(text), {"verbose": True})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"hello world"', "hello world"),
        ("'single'", "single"),
        ('"42"', "42"),
        ('"true"', "true"),
        ('""', ""),
        ('"a = b # c"', "a = b # c"),
        ("-17", -17),
    ],
)
def test_value_types(raw: str, expected: int | str | bool) -> None:
    value = load_config(f"key = {raw}")["key"]
    assert_same(value, expected, f"{raw} should load as {expected!r}")


@pytest.mark.parametrize(
    ("text", "required"),
    [("just words", []), ("port = eighty", []), ("a = 1", ["port"])],
    ids=["syntax", "invalid-value", "missing-key"],
)
def test_every_error_is_a_config_error(text: str, required: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(text, required)
    assert not isinstance(caught.value, ValueError), (
        "ConfigError should derive from Exception directly"
    )


@pytest.mark.parametrize("line", ["just words", "= 5", "two words = 1", "9lives = 1"])
def test_a_line_that_is_not_key_value_is_a_syntax_error(line: str) -> None:
    with pytest.raises(ConfigSyntaxError) as caught:
        load_config(f"# header\n\nok = 1\n{line}\n")
    assert_same(caught.value.line_number, 4, "line numbers count every line from 1")
    assert_same(caught.value.line, line)


@pytest.mark.weight(2)
@pytest.mark.parametrize("raw", ["eighty", "True", "8o", "", '"unterminated'])
def test_an_unknown_value_raises_invalid_value_error(raw: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        load_config(f"name = 'x'\nport = {raw}\n")
    assert_same(caught.value.key, "port")
    assert_same(caught.value.value, raw)


@pytest.mark.weight(2)
def test_invalid_value_error_is_chained_from_the_int_error() -> None:
    with pytest.raises(InvalidValueError) as caught:
        load_config("port = eighty")
    cause = caught.value.__cause__
    assert isinstance(cause, ValueError), (
        "use `raise InvalidValueError(...) from err` so the int() error is kept"
    )
    assert not isinstance(cause, ConfigError)


@pytest.mark.weight(2)
def test_the_first_missing_required_key_is_reported() -> None:
    with pytest.raises(MissingKeyError) as caught:
        load_config(SAMPLE, required=["name", "host", "user"])
    assert_same(caught.value.key, "host")


def test_required_keys_that_are_present_pass() -> None:
    config = load_config(SAMPLE, required=["port", "debug"])
    assert_same(len(config), 4)


@pytest.mark.parametrize(
    ("text", "required", "message"),
    [
        ("a = 1\nb 2", [], "line 2: expected 'key = value', got 'b 2'"),
        (
            "port = eighty",
            [],
            "invalid value for 'port': 'eighty' (not an int, bool or quoted string)",
        ),
        ("a = 1", ["port"], "missing required key 'port'"),
    ],
    ids=["syntax", "invalid-value", "missing-key"],
)
def test_error_messages(text: str, required: list[str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(text, required)
    assert_same(str(caught.value), message)


def test_main_reports_the_number_of_keys(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(SAMPLE))
    monkeypatch.setattr(sys, "argv", ["config_loader.py", "name"])
    main()
    assert_same(capsys.readouterr().out, "ok: 4 keys\n")


@pytest.mark.weight(2)
def test_main_reports_an_error_and_exits_with_code_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(SAMPLE))
    monkeypatch.setattr(sys, "argv", ["config_loader.py", "name", "host"])
    with pytest.raises(SystemExit) as caught:
        main()
    assert_same(caught.value.code, 1)
    assert_same(capsys.readouterr().out, "error: missing required key 'host'\n")
