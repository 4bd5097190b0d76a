"""Tests for the lazy pipeline exercise.

Laziness is checked by behaviour: the pipeline is fed sources that are endless,
or that record how far they have been read, and only a few items are taken.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from pygrade_graders.compare import assert_same

from pipeline import Record, chunked, read_records, top_scores, ways_to_climb

# An eager stage (one that builds a list) would read an endless source forever.
# The sources below blow this fuse instead, so such a bug fails fast and clearly.
FUSE = 10_000


def endless_lines() -> Iterator[str]:
    """Yield ``user0,0``, ``user1,1``, ... without end (until the fuse blows)."""
    for i in itertools.count():
        if i >= FUSE:
            raise AssertionError(f"read {FUSE} lines from an endless source: a stage is not lazy")
        yield f"user{i},{i}"


class TrackedSource:
    """An iterable that remembers how many items have been pulled from it."""

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self.pulled = 0

    def __iter__(self) -> Iterator[str]:
        for item in self.items:
            self.pulled += 1
            yield item


# --- read_records -------------------------------------------------------------


def test_read_records_parses_lines_and_skips_blanks_and_comments() -> None:
    lines = ["# name,score\n", "alice,90\n", "\n", "  bob , 72 \n", "   \n", "# done\n"]

    assert_same(list(read_records(lines)), [Record("alice", 90), Record("bob", 72)])


def test_read_records_works_on_an_endless_source() -> None:
    first_three = list(itertools.islice(read_records(endless_lines()), 3))

    assert_same(first_three, [Record("user0", 0), Record("user1", 1), Record("user2", 2)])


def test_read_records_reads_only_as_far_as_needed() -> None:
    source = TrackedSource(["a,1", "b,2", "c,3", "d,4"])
    records = read_records(source)

    assert_same(next(records), Record("a", 1))
    assert source.pulled == 1, f"one record was requested but {source.pulled} lines were read"


def test_read_records_reports_a_bad_line_only_when_it_is_reached() -> None:
    records = read_records(["a,1", "not a record", "c,3"])

    assert_same(next(records), Record("a", 1), "the good line before the bad one must come through")
    with pytest.raises(ValueError):
        next(records)


# --- top_scores and chunked ---------------------------------------------------


def test_top_scores_keeps_records_at_or_above_threshold_in_order() -> None:
    records = [Record("a", 49), Record("b", 50), Record("c", 10), Record("d", 99)]

    assert_same(list(top_scores(records, 50)), [Record("b", 50), Record("d", 99)])


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (2, [[1, 2], [3, 4], [5]]),
        (5, [[1, 2, 3, 4, 5]]),
        (1, [[1], [2], [3], [4], [5]]),
        (10, [[1, 2, 3, 4, 5]]),
    ],
)
def test_chunked_groups_items_with_a_short_last_chunk(size: int, expected: list[list[int]]) -> None:
    # A generator argument: chunked must not rely on len() or slicing.
    assert_same(list(chunked((n for n in range(1, 6)), size)), expected)


def test_chunked_yields_nothing_for_empty_input() -> None:
    assert_same(list(chunked([], 3)), [])


@pytest.mark.parametrize("size", [0, -1])
def test_chunked_rejects_a_size_below_one(size: int) -> None:
    with pytest.raises(ValueError):
        list(chunked([1, 2, 3], size))


@pytest.mark.weight(2)
def test_whole_pipeline_delivers_chunks_before_the_source_is_exhausted() -> None:
    source = TrackedSource([f"user{i},{i}" for i in range(100)])
    pipeline = chunked(top_scores(read_records(source), 10), 2)

    assert_same(next(pipeline), [Record("user10", 10), Record("user11", 11)])
    assert source.pulled == 12, (
        f"the first chunk needs 12 lines but {source.pulled} of 100 were read: a stage is not lazy"
    )
    # And it keeps working on an endless source too.
    endless = chunked(top_scores(read_records(endless_lines()), 5), 3)
    assert_same(
        list(itertools.islice(endless, 2)),
        [
            [Record("user5", 5), Record("user6", 6), Record("user7", 7)],
            [Record("user8", 8), Record("user9", 9), Record("user10", 10)],
        ],
    )


# --- ways_to_climb ------------------------------------------------------------


def require_memoised() -> None:
    """Fail clearly (instead of running for ages) if ways_to_climb has no cache."""
    if not hasattr(ways_to_climb, "cache_info"):
        pytest.fail("ways_to_climb is not memoised: decorate it with @functools.lru_cache")


@pytest.mark.parametrize(
    ("n", "expected"),
    [(-1, 0), (0, 1), (1, 1), (2, 2), (3, 4), (4, 7), (5, 13), (10, 274)],
)
def test_ways_to_climb_small_staircases(n: int, expected: int) -> None:
    assert_same(ways_to_climb(n), expected)


@pytest.mark.weight(2)
def test_ways_to_climb_reuses_cached_results() -> None:
    require_memoised()
    ways_to_climb.cache_clear()

    ways_to_climb(30)
    first = ways_to_climb.cache_info()
    ways_to_climb(30)
    second = ways_to_climb.cache_info()

    assert first.hits > 0, "the recursive calls should be answered from the cache"
    assert_same(second.hits, first.hits + 1, "asking again should be a single cache hit")
    assert_same(second.misses, first.misses, "asking again must not recompute anything")


@pytest.mark.weight(2)
def test_ways_to_climb_a_tall_staircase() -> None:
    require_memoised()

    assert_same(ways_to_climb(200), 52622583840983769603765180599790256716084480555530641)
