"""Tests for the lru-resolver exercise.

The answers of `requires` are checked on small configs, which the uncached starter answers
too. The cache is checked through `cache_info()`: the README fixes which questions the
resolver asks its cache, so the hits and misses of a sequence of calls are exact. How FAST
`transitive_closure` is on a large config is graded separately by pygrade's timing check.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from pygrade_graders.compare import assert_same

from resolver import (
    CACHE_SIZE,
    CycleError,
    DependencyResolver,
    UnknownServiceError,
    transitive_closure,
)

SHOP = {
    "storefront": ["api", "cdn"],
    "api": ["orders", "auth"],
    "orders": ["postgres", "queue"],
    "auth": ["postgres"],
    "worker": ["queue", "orders"],
    "cdn": [],
    "postgres": [],
    "queue": [],
}


def counts(resolver: DependencyResolver) -> tuple[int, int, int]:
    info = resolver.cache_info()
    return info.hits, info.misses, info.currsize


# --- the answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("storefront", {"api", "cdn", "orders", "auth", "postgres", "queue"}),
        ("api", {"orders", "auth", "postgres", "queue"}),
        ("worker", {"queue", "orders", "postgres"}),
        ("postgres", set()),
    ],
)
def test_requires_one_service(service: str, expected: set[str]) -> None:
    assert_same(DependencyResolver(SHOP).requires(service), frozenset(expected))


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "services",
    [["auth", "worker"], ("worker", "auth"), {"auth", "worker"}, ["auth", "worker", "auth"]],
    ids=["list", "tuple", "set", "repeats"],
)
def test_requires_several_services_of_any_collection(services: Iterable[str]) -> None:
    resolver = DependencyResolver(SHOP)

    assert_same(resolver.requires(services), frozenset({"postgres", "queue", "orders"}))


def test_a_name_is_one_service_not_its_letters() -> None:
    config = {"ab": ["c"], "a": [], "b": [], "c": []}

    assert_same(DependencyResolver(config).requires("ab"), frozenset({"c"}))


def test_requires_of_no_services_is_empty() -> None:
    assert_same(DependencyResolver(SHOP).requires([]), frozenset())


def test_the_answer_is_a_frozenset() -> None:
    answer = DependencyResolver(SHOP).requires(["api"])

    assert isinstance(answer, frozenset), type(answer)


def test_accepts_dependencies_of_any_iterable() -> None:
    config = {"api": ("db", "cache"), "db": iter(["disk"]), "cache": set(), "disk": []}

    assert_same(DependencyResolver(config).requires("api"), frozenset({"db", "cache", "disk"}))


@pytest.mark.weight(2)
def test_shared_dependencies_are_found_through_every_path() -> None:
    # A diamond of diamonds: every service below the top is reached in several ways.
    config = {f"l{i}-{side}": [f"l{i + 1}-a", f"l{i + 1}-b"] for i in range(6) for side in "ab"}
    config.update({"l6-a": [], "l6-b": []})

    answer = DependencyResolver(config).requires("l0-a")

    assert_same(answer, frozenset(config) - {"l0-a", "l0-b"})


def test_transitive_closure_answers_for_every_service() -> None:
    closure = transitive_closure(SHOP)

    assert_same(set(closure), set(SHOP))
    assert_same(closure["api"], frozenset({"orders", "auth", "postgres", "queue"}))
    assert_same(closure["cdn"], frozenset())


# --- errors ---------------------------------------------------------------------------------


def test_an_unknown_service_is_an_error() -> None:
    resolver = DependencyResolver(SHOP)

    with pytest.raises(UnknownServiceError) as caught:
        resolver.requires(["api", "billing"])

    assert_same(caught.value.service, "billing")
    assert_same(str(caught.value), "unknown service 'billing'")
    assert isinstance(caught.value, KeyError)


def test_a_config_with_an_undefined_dependency_is_refused() -> None:
    with pytest.raises(UnknownServiceError) as caught:
        DependencyResolver({"api": ["db"]})

    assert_same(caught.value.service, "db")


@pytest.mark.parametrize(
    "config",
    [
        {"a": ["a"]},
        {"a": ["b"], "b": ["c"], "c": ["a"]},
        {"top": ["a"], "a": ["b"], "b": ["a"]},
    ],
)
def test_a_cycle_is_an_error(config: dict[str, list[str]]) -> None:
    with pytest.raises(CycleError) as caught:
        DependencyResolver(config).requires(list(config)[0])

    assert caught.value.service in config
    assert_same(str(caught.value), f"dependency cycle through {caught.value.service!r}")


def test_a_resolver_still_works_after_a_cycle_error() -> None:
    resolver = DependencyResolver({"loop": ["back"], "back": ["loop"], "api": ["db"], "db": []})
    with pytest.raises(CycleError):
        resolver.requires("loop")

    assert_same(resolver.requires("api"), frozenset({"db"}))
    with pytest.raises(CycleError):
        resolver.requires("back")


# --- the cache ------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_each_service_is_computed_once() -> None:
    resolver = DependencyResolver({"a": ["b", "c"], "b": ["c"], "c": []})

    resolver.requires("a")
    # Misses: {a}, {b}, {c}; the second time {c} is asked for (by a), it is a hit.
    assert_same(counts(resolver), (1, 3, 3), "(hits, misses, currsize)")

    resolver.requires("b")
    assert_same(counts(resolver), (2, 3, 3))


@pytest.mark.weight(2)
def test_collections_of_the_same_services_share_one_entry() -> None:
    resolver = DependencyResolver({"a": ["c"], "b": ["c"], "c": []})

    resolver.requires(["a", "b"])  # misses {a, b}, {a}, {c}, {b}; hit {c}
    assert_same(counts(resolver), (1, 4, 4))

    resolver.requires(("b", "a"))
    resolver.requires({"a", "b"})
    resolver.requires(["a", "b", "b"])
    assert_same(counts(resolver), (4, 4, 4), "the same group, asked three more times")

    resolver.requires("a")
    resolver.requires(["a"])
    assert_same(counts(resolver), (6, 4, 4), "one service by name or in a list")


def test_the_cache_is_bounded() -> None:
    info = DependencyResolver(SHOP).cache_info()

    assert_same((info.maxsize, info.currsize, info.hits, info.misses), (CACHE_SIZE, 0, 0, 0))
    assert_same(CACHE_SIZE, 1024)


@pytest.mark.weight(2)
def test_each_resolver_has_a_cache_of_its_own() -> None:
    shop, other = DependencyResolver(SHOP), DependencyResolver({"api": ["x"], "x": []})

    shop.requires("api")

    assert_same(counts(other), (0, 0, 0))
    assert_same(other.requires("api"), frozenset({"x"}), "another config, another answer")


@pytest.mark.weight(2)
def test_reload_clears_the_cache_and_answers_for_the_new_config() -> None:
    resolver = DependencyResolver(SHOP)
    assert_same(resolver.requires("auth"), frozenset({"postgres"}))

    resolver.reload({**SHOP, "auth": ["postgres", "vault"], "vault": []})

    assert_same(counts(resolver), (0, 0, 0), "an emptied cache")
    assert_same(resolver.requires("auth"), frozenset({"postgres", "vault"}))
    assert_same(resolver.requires("api"), frozenset({"orders", "auth", "postgres", "queue", "vault"}))


def test_a_refused_reload_keeps_the_old_config_and_its_cache() -> None:
    resolver = DependencyResolver(SHOP)
    resolver.requires("auth")

    with pytest.raises(UnknownServiceError):
        resolver.reload({"auth": ["vault"]})

    assert_same(resolver.requires("auth"), frozenset({"postgres"}))
    assert_same(counts(resolver), (1, 2, 2))
    assert_same(resolver.requires("api"), frozenset({"orders", "auth", "postgres", "queue"}))


def test_errors_are_not_cached() -> None:
    resolver = DependencyResolver({"loop": ["loop"], "ok": []})
    for _ in range(2):
        with pytest.raises(CycleError):
            resolver.requires("loop")

    assert_same(counts(resolver)[2], 0, "nothing cached for a failed question")
