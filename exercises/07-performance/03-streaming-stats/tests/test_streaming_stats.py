"""Tests for the streaming-stats exercise.

Streaming is checked by behaviour: ``read_numbers`` is fed an endless source and must
still hand out its first numbers. How much memory ``summarise`` needs is graded
separately by pygrade's memory check.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from pygrade_graders.compare import assert_same

from stream_stats import Summary, read_numbers, summarise

# An eager read_numbers (one that builds a list) would read an endless source forever.
# The source below blows this fuse instead, so such a bug fails fast and clearly.
FUSE = 10_000


def endless_lines() -> Iterator[str]:
    """Yield ``0``, ``1``, ``2``, ... (with a comment now and then) without end."""
    for i in itertools.count():
        if i >= FUSE:
            raise AssertionError(f"read {FUSE} lines from an endless source: not streaming")
        yield f"# batch {i}\n" if i % 10 == 0 else f"{i}\n"


# --- read_numbers ---------------------------------------------------------------


def test_read_numbers_skips_blank_lines_and_comments() -> None:
    lines = ["# readings\n", "3\n", "\n", "  -1.5  \n", "   \n", "# end\n", "0.25\n"]

    assert_same(list(read_numbers(lines)), [3.0, -1.5, 0.25])


@pytest.mark.weight(2)
def test_read_numbers_streams_from_an_endless_source() -> None:
    first_three = list(itertools.islice(read_numbers(endless_lines()), 3))

    assert_same(first_three, [1.0, 2.0, 3.0])


def test_read_numbers_reports_a_bad_line_by_number_only_when_reached() -> None:
    numbers = read_numbers(["1\n", "\n", "# note\n", "forty-two\n", "5\n"])

    assert_same(next(numbers), 1.0, "the good line before the bad one must come through")
    with pytest.raises(ValueError, match="line 4"):
        next(numbers)


# --- summarise --------------------------------------------------------------------


def test_summarise_computes_all_five_statistics() -> None:
    lines = ["# temperatures\n", "4\n", "-2.5\n", "\n", "10.25\n", "0\n"]

    assert_same(
        summarise(lines), Summary(n=4, total=11.75, minimum=-2.5, maximum=10.25, mean=11.75 / 4)
    )


def test_summarise_a_single_number() -> None:
    assert_same(summarise(["7.5"]), Summary(1, 7.5, 7.5, 7.5, 7.5))


def test_summarise_numbers_that_are_all_negative() -> None:
    result = summarise(["-3", "-1", "-2"])

    assert_same(
        (result.minimum, result.maximum), (-3.0, -1.0), "a running maximum must not start at 0"
    )


@pytest.mark.weight(2)
def test_summarise_reads_a_generator_once() -> None:
    source = (f"{i}\n" for i in range(1, 101))

    assert_same(summarise(source), Summary(100, 5050.0, 1.0, 100.0, 50.5))


@pytest.mark.parametrize("lines", [[], ["\n", "# nothing but a comment\n", "   "]])
def test_summarise_rejects_input_without_numbers(lines: list[str]) -> None:
    with pytest.raises(ValueError):
        summarise(lines)


def test_summarise_rejects_a_line_that_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="line 2"):
        summarise(["1", "12 apples", "3"])


def test_a_summary_cannot_be_changed() -> None:
    result = summarise(["1", "2"])

    with pytest.raises(AttributeError):
        result.n = 5  # type: ignore[misc]
