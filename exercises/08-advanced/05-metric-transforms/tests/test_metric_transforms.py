"""Tests for the metric transforms exercise."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from pygrade_graders.compare import assert_same

from metric_transforms import (
    Sample,
    compose,
    concat,
    only,
    peak,
    per_minute,
    rate,
    running_total,
    scale,
    take,
    top,
    totals,
)

REQUESTS = [
    Sample("http.requests", 0, 100.0),
    Sample("http.requests", 10, 160.0),
    Sample("http.requests", 30, 400.0),
    Sample("http.requests", 60, 40.0),  # the server restarted: the counter began again at 0
]

MIXED = [
    Sample("cpu", 0, 0.5),
    Sample("http.requests", 0, 100.0),
    Sample("cpu", 10, 0.75),
    Sample("disk", 10, 3.0),
    Sample("http.requests", 10, 160.0),
    Sample("cpu", 20, 0.25),
]

# A lazy transform reads an endless source only as far as it must. Eager code (one that
# builds a list first) would read forever: this fuse makes it fail fast and clearly.
FUSE = 10_000


def endless(metric: str = "m", step: int = 1) -> Iterator[Sample]:
    """Samples 0, 1, 2, ... of ``metric`` at times 0, step, 2*step, ... without end."""
    for i in itertools.count():
        if i >= FUSE:
            raise AssertionError(f"read {FUSE} samples from an endless source: not lazy")
        yield Sample(metric, i * step, float(i))


def untouched(samples: list[Sample], transform: Callable[[list[Sample]], Any]) -> None:
    """Run ``transform`` on ``samples`` and check it left the list exactly as it was."""
    before = list(samples)
    result = transform(samples)
    if isinstance(result, Iterator):
        list(result)
    assert_same(samples, before, "a pure function must not change its input")


# --- compose ---------------------------------------------------------------------


def test_compose_applies_functions_left_to_right() -> None:
    add_one: Callable[[int], int] = lambda x: x + 1  # noqa: E731
    double: Callable[[int], int] = lambda x: x * 2  # noqa: E731

    assert_same(compose(add_one, double)(5), 12)
    assert_same(compose(double, add_one)(5), 11)


def test_compose_of_many_functions() -> None:
    pipeline = compose(str.strip, str.lower, str.split, len, lambda n: n * 10)

    assert_same(pipeline("  One Two THREE  "), 30)


def test_compose_of_one_function_is_that_function() -> None:
    assert_same(compose(abs)(-4), 4)


def test_compose_of_nothing_is_the_identity() -> None:
    marker = object()

    assert compose()(marker) is marker


def test_compose_calls_nothing_until_it_is_called_and_each_function_once() -> None:
    calls: list[str] = []

    def step(name: str) -> Callable[[list[str]], list[str]]:
        def record(value: list[str]) -> list[str]:
            calls.append(name)
            return [*value, name]

        return record

    pipeline = compose(step("a"), step("b"), step("c"))
    assert_same(calls, [], "compose must only build the pipeline")

    assert_same(pipeline([]), ["a", "b", "c"])
    assert_same(calls, ["a", "b", "c"])


def test_a_composed_function_can_be_called_again() -> None:
    pipeline = compose(partial(scale, 2.0), list)

    assert_same(pipeline([Sample("m", 0, 1.0)]), [Sample("m", 0, 2.0)])
    assert_same(pipeline([Sample("m", 5, 3.0)]), [Sample("m", 5, 6.0)])


# --- only, scale ------------------------------------------------------------------


def test_only_keeps_one_metric_in_order() -> None:
    assert_same(list(only("cpu", MIXED)), [MIXED[0], MIXED[2], MIXED[5]])


def test_only_of_an_absent_metric_is_empty() -> None:
    assert_same(list(only("memory", MIXED)), [])


def test_only_is_lazy() -> None:
    first = list(itertools.islice(only("m", endless()), 2))

    assert_same(first, [Sample("m", 0, 0.0), Sample("m", 1, 1.0)])


def test_scale_multiplies_values_and_keeps_the_rest() -> None:
    assert_same(
        list(scale(0.5, REQUESTS[:2])),
        [Sample("http.requests", 0, 50.0), Sample("http.requests", 10, 80.0)],
    )


def test_scale_is_lazy() -> None:
    first = list(itertools.islice(scale(10.0, endless()), 3))

    assert_same([sample.value for sample in first], [0.0, 10.0, 20.0])


# --- rate -------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_rate_divides_each_increase_by_the_seconds_between() -> None:
    assert_same(
        list(rate(REQUESTS[:3])),
        [Sample("http.requests", 10, 6.0), Sample("http.requests", 30, 12.0)],
    )


@pytest.mark.weight(2)
def test_rate_treats_a_counter_that_went_down_as_reset() -> None:
    assert_same(list(rate(REQUESTS))[-1], Sample("http.requests", 60, 40.0 / 30))


def test_rate_of_a_counter_that_did_not_move_is_zero() -> None:
    samples = [Sample("m", 0, 5.0), Sample("m", 4, 5.0)]

    assert_same(list(rate(samples)), [Sample("m", 4, 0.0)])


@pytest.mark.parametrize("count", [0, 1])
def test_rate_of_fewer_than_two_samples_is_empty(count: int) -> None:
    assert_same(list(rate(REQUESTS[:count])), [])


@pytest.mark.parametrize("later", [30, 29], ids=["same-time", "earlier"])
def test_rate_rejects_timestamps_that_do_not_increase_when_reached(later: int) -> None:
    samples = [Sample("m", 0, 1.0), Sample("m", 30, 4.0), Sample("m", later, 9.0)]
    rates = rate(samples)

    assert_same(next(rates), Sample("m", 30, 0.1))
    with pytest.raises(ValueError, match=rf"^timestamps must increase: 30 then {later}$"):
        next(rates)


def test_rate_is_lazy() -> None:
    first = list(itertools.islice(rate(endless(step=2)), 2))

    assert_same(first, [Sample("m", 2, 0.5), Sample("m", 4, 0.5)])


# --- running_total, take, concat --------------------------------------------------


def test_running_total_adds_up_and_keeps_each_samples_time() -> None:
    samples = [Sample("bytes", 1, 10.0), Sample("bytes", 2, 5.0), Sample("bytes", 3, 2.5)]

    assert_same(
        list(running_total(samples)),
        [Sample("bytes", 1, 10.0), Sample("bytes", 2, 15.0), Sample("bytes", 3, 17.5)],
    )


def test_running_total_of_nothing_is_empty() -> None:
    assert_same(list(running_total([])), [])


def test_running_total_is_lazy() -> None:
    first = list(itertools.islice(running_total(endless()), 4))

    assert_same([sample.value for sample in first], [0.0, 1.0, 3.0, 6.0])


@pytest.mark.parametrize("count", [0, 1, 3, 7])
def test_take_keeps_the_first_samples(count: int) -> None:
    assert_same(list(take(count, MIXED)), MIXED[:count])


def test_take_is_lazy() -> None:
    assert_same(list(take(2, endless())), [Sample("m", 0, 0.0), Sample("m", 1, 1.0)])


@pytest.mark.parametrize("count", [-1, -5])
def test_take_rejects_a_negative_count_at_once(count: int) -> None:
    with pytest.raises(ValueError, match=rf"^count must not be negative, got {count}$"):
        take(count, endless())


def test_concat_reads_the_streams_in_turn() -> None:
    assert_same(list(concat(REQUESTS[:2], [], MIXED[:1])), [*REQUESTS[:2], MIXED[0]])


def test_concat_of_nothing_is_empty() -> None:
    assert_same(list(concat()), [])


def test_concat_is_lazy() -> None:
    first = list(itertools.islice(concat(MIXED[:1], endless(), endless("never")), 3))

    assert_same(first, [MIXED[0], Sample("m", 0, 0.0), Sample("m", 1, 1.0)])


# --- totals, top, peak ------------------------------------------------------------


@pytest.mark.weight(2)
def test_totals_sums_each_metric() -> None:
    assert_same(totals(MIXED), {"cpu": 1.5, "disk": 3.0, "http.requests": 260.0})


def test_totals_lists_metrics_in_order_of_name() -> None:
    samples = [Sample("zeta", 0, 1.0), Sample("alpha", 0, 2.0), Sample("mid", 0, 3.0)]

    assert_same(list(totals(samples)), ["alpha", "mid", "zeta"])


def test_totals_reads_a_generator() -> None:
    assert_same(totals(sample for sample in MIXED if sample.metric != "cpu"),
                {"disk": 3.0, "http.requests": 260.0})


def test_totals_of_nothing_is_empty() -> None:
    assert_same(totals([]), {})


def test_top_lists_the_largest_first_and_ties_by_name() -> None:
    values = {"search": 5.0, "auth": 9.0, "billing": 5.0, "api": 5.0, "mail": 1.0}

    assert_same(top(4, values), [("auth", 9.0), ("api", 5.0), ("billing", 5.0), ("search", 5.0)])


@pytest.mark.parametrize("count", [0, 1, 3, 10])
def test_top_keeps_at_most_count_items(count: int) -> None:
    values = {"c": 1.0, "a": 3.0, "b": 2.0}

    assert_same(top(count, values), [("a", 3.0), ("b", 2.0), ("c", 1.0)][:count])


@pytest.mark.weight(2)
def test_peak_finds_the_largest_value() -> None:
    assert_same(peak(REQUESTS), Sample("http.requests", 30, 400.0))


def test_peak_keeps_the_earliest_on_a_tie() -> None:
    samples = [Sample("m", 0, 1.0), Sample("m", 1, 7.0), Sample("m", 2, 7.0), Sample("m", 3, 2.0)]

    assert_same(peak(samples), Sample("m", 1, 7.0))


def test_peak_of_negative_values() -> None:
    samples = [Sample("t", 0, -3.0), Sample("t", 1, -1.5), Sample("t", 2, -8.0)]

    assert_same(peak(samples), Sample("t", 1, -1.5))


def test_peak_of_one_sample_and_of_a_generator() -> None:
    assert_same(peak([MIXED[3]]), MIXED[3])
    assert_same(peak(sample for sample in MIXED if sample.metric == "cpu"), MIXED[2])


def test_peak_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        peak([])


# --- the pipeline and purity ------------------------------------------------------


@pytest.mark.weight(2)
def test_per_minute_builds_the_whole_pipeline() -> None:
    requests_per_minute = per_minute("http.requests")

    assert_same(
        requests_per_minute(MIXED + REQUESTS[2:]),
        [
            Sample("http.requests", 10, 360.0),
            Sample("http.requests", 30, 720.0),
            Sample("http.requests", 60, 80.0),
        ],
    )


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "transform",
    [
        partial(only, "cpu"),
        partial(scale, 3.0),
        rate,
        running_total,
        partial(take, 2),
        concat,
        totals,
        peak,
        lambda samples: per_minute("alpha")(samples),
    ],
    ids=["only", "scale", "rate", "running_total", "take", "concat", "totals", "peak", "per_minute"],
)
def test_transforms_do_not_change_their_input(transform: Callable[[list[Sample]], Any]) -> None:
    # In time order, as rate needs, but neither by metric nor by value.
    samples = [
        Sample("zeta", 0, 5.0),
        Sample("alpha", 1, 1.0),
        Sample("mid", 2, 9.0),
        Sample("alpha", 3, 2.0),
    ]

    untouched(samples, transform)


def test_top_does_not_change_its_input() -> None:
    values = {"b": 2.0, "a": 2.0, "c": 9.0}

    top(2, values)

    assert_same(list(values.items()), [("b", 2.0), ("a", 2.0), ("c", 9.0)])
