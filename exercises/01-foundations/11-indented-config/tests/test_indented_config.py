"""Tests for indented_config.py: blocks nested by indentation, comments, and every error with
the line it names."""

from __future__ import annotations

import keyword
from textwrap import dedent

import pytest
from pygrade_graders.compare import assert_same

from indented_config import ConfigError, as_namespace, parse_config

BILLING = """\
# billing service
service:
    name: billing            # the service's name
    url: http://billing.internal:8080/#status
    database:
      host: db.internal
      pool: 10
    # a comment may be indented any way
retries: 3
logging:
  level: INFO
"""


def error_of(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert isinstance(caught.value, ValueError)
    return caught.value


# --- the format -----------------------------------------------------------------


@pytest.mark.weight(3)
def test_nested_blocks_become_nested_dicts() -> None:
    assert_same(
        parse_config(BILLING),
        {
            "service": {
                "name": "billing",
                "url": "http://billing.internal:8080/#status",
                "database": {"host": "db.internal", "pool": "10"},
            },
            "retries": "3",
            "logging": {"level": "INFO"},
        },
    )


def test_keys_keep_the_order_of_the_file() -> None:
    config = parse_config("zeta: 1\nalpha:\n  b: 2\n  a: 1\nmid: 3\n")

    assert_same(list(config), ["zeta", "alpha", "mid"])
    alpha = config["alpha"]
    assert isinstance(alpha, dict)
    assert_same(list(alpha), ["b", "a"])


def test_empty_text_and_only_comments_are_an_empty_config() -> None:
    assert_same(parse_config(""), {})
    assert_same(parse_config("# nothing\n\n    # still nothing\n\t# a tab before a comment is fine\n"), {})


@pytest.mark.weight(2)
def test_a_dedent_may_close_several_blocks_at_once() -> None:
    text = dedent("""\
        a:
            b:
                c:
                    d: 1
            e: 2
        f: 3
        """)

    assert_same(parse_config(text), {"a": {"b": {"c": {"d": "1"}}, "e": "2"}, "f": "3"})


def test_each_block_chooses_its_own_indentation() -> None:
    text = "a:\n x: 1\n y:\n         deep: yes\n z: 2\nb:\n        w: 3\n"

    assert_same(parse_config(text), {"a": {"x": "1", "y": {"deep": "yes"}, "z": "2"}, "b": {"w": "3"}})


@pytest.mark.weight(2)
def test_comments_start_at_a_hash_that_begins_the_text_or_follows_space() -> None:
    text = dedent("""\
        # full line
        url: http://host/page#anchor   # trailing
        colour: red#1 #comment
        tabbed: value\t# after a tab
        issue: 42 ## twice
        """)

    assert_same(
        parse_config(text),
        {"url": "http://host/page#anchor", "colour": "red#1", "tabbed": "value", "issue": "42"},
    )


def test_blank_lines_and_comments_do_not_count_as_indentation() -> None:
    text = "a:\n\n        # deeper comment\n  b: 1\n# top comment\n\n  c: 2\n"

    assert_same(parse_config(text), {"a": {"b": "1", "c": "2"}})


def test_values_keep_inner_spaces_and_colons_and_lose_outer_spaces() -> None:
    text = "motd:    welcome to   prod   \nendpoint: tcp://db:5432\nspaced_key   :  v\n"

    assert_same(parse_config(text), {"motd": "welcome to   prod", "endpoint": "tcp://db:5432", "spaced_key": "v"})


def test_windows_line_endings() -> None:
    assert_same(parse_config("a:\r\n  b: 1\r\nc: 2\r\n"), {"a": {"b": "1"}, "c": "2"})


def test_a_tab_inside_a_value_is_kept() -> None:
    assert_same(parse_config("a:\tx\ty\n"), {"a": "x\ty"})


# --- keys -----------------------------------------------------------------------


@pytest.mark.weight(2)
@pytest.mark.parametrize("key", keyword.kwlist)
def test_every_python_keyword_is_refused_as_a_key(key: str) -> None:
    error = error_of(f"ok: 1\nblock:\n    {key}: value\n")

    assert_same(error.line_number, 3)
    assert key in str(error)


@pytest.mark.parametrize("key", ["match", "case", "type", "_", "café", "__init__", "self", "print", "true"])
def test_soft_keywords_and_other_identifiers_are_good_keys(key: str) -> None:
    config = parse_config(f"{key}: 1\n")

    assert_same(config, {key: "1"})
    assert_same(getattr(as_namespace(config), key), "1")


@pytest.mark.weight(2)
@pytest.mark.parametrize("key", ["max-size", "2fa", "a.b", "has space", "dollar$", "", "é-1"])
def test_keys_that_are_not_identifiers_are_refused(key: str) -> None:
    error = error_of(f"ok: 1\n{key}: value\n")

    assert_same(error.line_number, 2)


def test_a_duplicate_key_in_one_block_is_refused_but_not_across_blocks() -> None:
    assert_same(parse_config("a:\n  x: 1\nb:\n  x: 2\n"), {"a": {"x": "1"}, "b": {"x": "2"}})
    assert_same(error_of("a:\n  x: 1\n  y: 2\n  x: 3\n").line_number, 4)
    assert_same(error_of("a: 1\na:\n  b: 2\n").line_number, 2)


# --- errors ---------------------------------------------------------------------


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("text", "line_number"),
    [
        ("a:\n\tb: 1\n", 2),
        ("a:\n  b:\n  \tc: 1\n", 3),
        ("a:\n    b: 1\n\t    c: 2\n", 3),
        ("\ta: 1\n", 1),
    ],
)
def test_a_tab_in_indentation_is_refused(text: str, line_number: int) -> None:
    error = error_of(text)

    assert_same(error.line_number, line_number)
    assert "tab" in error.reason


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("text", "line_number"),
    [
        ("a:\n    b: 1\n  c: 2\n", 3),
        ("a:\n    b:\n        c: 1\n      d: 2\n", 4),
        ("a:\n  b:\n      c: 1\n    d: 2\n", 4),
        ("x: 0\na:\n    b:\n        c: 1\n   d: 2\n", 5),
    ],
)
def test_a_dedent_to_no_outer_block_is_refused_with_its_line(text: str, line_number: int) -> None:
    error = error_of(text)

    assert_same((error.line_number, error.reason), (line_number, "dedent does not match any outer block"))


@pytest.mark.parametrize(
    ("text", "line_number"),
    [
        ("  a: 1\n", 1),
        ("# first\n\n    a: 1\n", 3),
        ("a: 1\n  b: 2\n", 2),
        ("a:\n  b: 1\n    c: 2\n", 3),
        ("a: 1\n        b: 2\n", 2),
        ("a:\n  b: 1\n            c: 2\n", 3),
    ],
)
def test_an_unexpected_indent_is_refused_with_its_line(text: str, line_number: int) -> None:
    error = error_of(text)

    assert_same((error.line_number, error.reason), (line_number, "unexpected indent"))


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("text", "line_number", "name"),
    [
        ("a:\n", 1, "a"),
        ("a:\nb: 1\n", 1, "a"),
        ("x: 1\nlimits:   # nothing yet\n\n# still nothing\n", 2, "limits"),
        ("a:\n  b:\n  c: 1\n", 2, "b"),
        ("a:\n  b: 1\n  cache:\nd: 2\n", 3, "cache"),
        ("colour: #fff\n", 1, "colour"),
    ],
)
def test_an_empty_block_is_refused_with_the_line_that_opens_it(text: str, line_number: int, name: str) -> None:
    error = error_of(text)

    assert_same((error.line_number, error.reason), (line_number, f"block {name!r} is empty"))


@pytest.mark.parametrize(("text", "line_number"), [("just words\n", 1), ("a: 1\n= 2\n", 2), ("a:\n  b 1\n", 2)])
def test_a_line_without_a_colon_is_refused(text: str, line_number: int) -> None:
    assert_same(error_of(text).line_number, line_number)


def test_the_message_starts_with_the_line_number() -> None:
    error = error_of("ok: 1\n\nclass: x\n")

    assert_same(str(error), f"line 3: {error.reason}")


# --- as_namespace ---------------------------------------------------------------


@pytest.mark.weight(2)
def test_the_config_as_attributes() -> None:
    settings = as_namespace(parse_config(BILLING))

    assert_same(settings.service.database.host, "db.internal")
    assert_same(settings.service.name, "billing")
    assert_same(settings.retries, "3")
    assert_same(settings.logging.level, "INFO")
    assert_same(sorted(vars(settings)), ["logging", "retries", "service"])
    assert_same(sorted(vars(settings.service)), ["database", "name", "url"])


def test_an_empty_config_is_an_empty_namespace() -> None:
    assert_same(vars(as_namespace({})), {})
