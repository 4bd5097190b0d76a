"""Tests for word_count.py."""

import io
import sys

import pytest
from pygrade_graders.compare import assert_same

from word_count import count_words, main, top_words


def test_counts_each_word() -> None:
    assert_same(count_words("one fish two fish"), {"one": 1, "fish": 2, "two": 1})


def test_counts_are_case_insensitive() -> None:
    assert_same(count_words("Go GO go gO"), {"go": 4})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("red,green;blue\n\tred...  green!", {"red": 2, "green": 2, "blue": 1}),
        ("route 66, route66", {"route": 1, "66": 1, "route66": 1}),
        ("well-known e-mail", {"well": 1, "known": 1, "e": 1, "mail": 1}),
        ("", {}),
        ("  ...  !? ", {}),
    ],
    ids=["punctuation", "digits", "hyphens", "empty", "no-words"],
)
def test_words_are_runs_of_letters_digits_and_apostrophes(
    text: str, expected: dict[str, int]
) -> None:
    assert_same(count_words(text), expected)


@pytest.mark.weight(2)
def test_apostrophes_inside_words_are_kept() -> None:
    assert_same(count_words("Don't stop, don't!"), {"don't": 2, "stop": 1})


@pytest.mark.weight(2)
def test_surrounding_apostrophes_are_stripped() -> None:
    counts = count_words("'hello' said 'Ann, hello''")
    assert_same(
        counts,
        {"hello": 2, "said": 1, "ann": 1},
        "quotes around a word must not become part of it",
    )


def test_tokens_made_only_of_apostrophes_are_ignored() -> None:
    assert_same(count_words("' '' a '''"), {"a": 1}, "'' is not a word")


def test_top_words_orders_by_count_descending() -> None:
    counts = {"a": 1, "b": 3, "c": 2}
    assert_same(top_words(counts, 3), [("b", 3), ("c", 2), ("a", 1)])


@pytest.mark.weight(2)
def test_top_words_breaks_ties_alphabetically() -> None:
    counts = {"pear": 2, "apple": 2, "fig": 5, "kiwi": 2}
    assert_same(top_words(counts, 3), [("fig", 5), ("apple", 2), ("kiwi", 2)])


@pytest.mark.parametrize("n", [0, 1, 2])
def test_top_words_returns_exactly_n_pairs(n: int) -> None:
    counts = {"x": 3, "y": 2, "z": 1}
    assert_same(len(top_words(counts, n)), n)


def test_top_words_with_large_n_returns_everything() -> None:
    assert_same(top_words({"b": 1, "a": 1}, 10), [("a", 1), ("b", 1)])


def test_top_words_rejects_negative_n() -> None:
    with pytest.raises(ValueError):
        top_words({"a": 1}, -1)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("args", "expected"),
    [([], "a 3\nb 2\nc 1\n"), (["2"], "a 3\nb 2\n")],
    ids=["default-n-is-3", "n-from-argv"],
)
def test_main_prints_top_words_from_stdin(
    args: list[str],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("d a b c a b a"))
    monkeypatch.setattr(sys, "argv", ["word_count.py", *args])
    main()
    assert_same(capsys.readouterr().out, expected)
