"""Tests for the weak document cache.

CPython frees an object the moment its last reference goes, unless the object is part of a
reference cycle: then only the cycle collector frees it. To tell the two apart, these tests
run with the automatic collector off (the `no_automatic_gc` fixture) and watch objects
through `weakref.ref`: an object whose weak reference is dead right after `del`, before any
`gc.collect()`, was freed by reference counting alone.
"""

from __future__ import annotations

import dataclasses
import gc
import sys
import weakref
from collections.abc import Iterator

import pytest
from pygrade_graders.compare import assert_same

from doc_cache import CacheStats, Document, DocumentCache, Link, Section, collect_links


@pytest.fixture(autouse=True)
def no_automatic_gc() -> Iterator[None]:
    """Nothing is collected unless a test calls gc.collect() itself."""
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    yield
    if was:
        gc.enable()


class Loader:
    """Parses a made-up document per name, and counts its calls."""

    def __init__(self) -> None:
        self.loaded: list[str] = []

    def __call__(self, name: str) -> Document:
        self.loaded.append(name)
        outline = Section(name.title())
        outline.add("Install").add("Linux")
        outline.add("Usage")
        return Document(name, outline, collect_links([("/index.html", 3), (f"/{name}.html", 9)]))


class SelfReferring(Document):
    """A document that refers to itself, as a parser's back-pointers can make one."""

    me: Document | None = None


# --- Link and collect_links --------------------------------------------------------------


def test_collect_links_makes_a_link_per_pair_in_order() -> None:
    links = collect_links(iter([("/a.html", 1), ("/b.html", 7), ("/a.html", 12)]))

    assert_same(links, [Link("/a.html", 1), Link("/b.html", 7), Link("/a.html", 12)])
    assert_same(collect_links([]), [])


@pytest.mark.weight(2)
def test_a_link_has_slots_and_no_dict() -> None:
    link = collect_links([("/a.html", 1)])[0]

    assert not hasattr(link, "__dict__"), "a Link with __slots__ has no __dict__"
    assert_same(sorted(Link.__slots__), ["line", "target"])
    # ... and it is still the frozen record it was.
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(link, "line", 2)
    assert_same((link.target, link.line), ("/a.html", 1))
    assert link == Link("/a.html", 1) and hash(link) == hash(Link("/a.html", 1))


# --- Section: a tree without cycles ------------------------------------------------------------


def test_add_puts_a_new_section_under_this_one() -> None:
    guide = Section("Guide")

    install = guide.add("Install")
    usage = guide.add("Usage")

    assert_same([child.title for child in guide.children], ["Install", "Usage"])
    assert guide.children[0] is install and guide.children[1] is usage
    assert install.parent is guide and usage.parent is guide
    assert_same(install.children, [])
    assert guide.parent is None


def test_path_runs_from_the_top() -> None:
    guide = Section("Guide")
    linux = guide.add("Install").add("Linux")

    assert_same(linux.path(), "Guide > Install > Linux")
    assert_same(guide.path(), "Guide")


@pytest.mark.weight(2)
def test_a_tree_is_freed_without_the_collector() -> None:
    guide = Section("Guide")
    install = guide.add("Install")
    watched = [weakref.ref(section) for section in (guide, install, install.add("Linux"), guide.add("Usage"))]
    del guide, install

    alive = [section.title for section in (ref() for ref in watched) if section is not None]
    assert_same(alive, [], "a child must hold its parent weakly, or every tree is a cycle")


def test_adding_a_child_adds_no_reference_to_the_parent() -> None:
    guide = Section("Guide")
    before = sys.getrefcount(guide)

    guide.add("Install").add("Linux")

    assert_same(sys.getrefcount(guide), before)


@pytest.mark.weight(2)
def test_a_section_outlives_its_parent_as_the_new_top() -> None:
    guide = Section("Guide")
    install = guide.add("Install")
    linux = install.add("Linux")
    del guide

    assert install.parent is None, "the parent is gone: parent is None"
    assert linux.parent is install
    assert_same(linux.path(), "Install > Linux")


def test_children_are_held_by_their_parent() -> None:
    guide = Section("Guide")
    install = weakref.ref(guide.add("Install"))

    assert install() is not None and install() is guide.children[0]


# --- DocumentCache ----------------------------------------------------------------------------


def test_a_document_is_loaded_once_while_someone_holds_it() -> None:
    loader = Loader()
    cache = DocumentCache(loader)

    first = cache.get("intro")
    again = cache.get("intro")
    other = cache.get("setup")

    assert again is first and other is not first
    assert_same(loader.loaded, ["intro", "setup"])
    assert_same([section.path() for section in first.outline.children], ["Intro > Install", "Intro > Usage"])
    assert_same(first.links, [Link("/index.html", 3), Link("/intro.html", 9)])
    assert_same(cache.stats, CacheStats(hits=1, misses=2, evictions=0, live=2))
    assert_same(len(cache), 2)


@pytest.mark.weight(3)
def test_the_cache_does_not_keep_a_document_alive() -> None:
    loader = Loader()
    cache = DocumentCache(loader)
    document = cache.get("intro")
    watched = weakref.ref(document)
    outline = [weakref.ref(section) for section in (document.outline, *document.outline.children)]
    del document

    assert watched() is None, "once nobody holds the document, reference counting frees it"
    assert all(section() is None for section in outline), "and its outline with it"
    assert_same(cache.stats, CacheStats(hits=0, misses=1, evictions=1, live=0))
    assert_same(len(cache), 0)

    cache.get("intro")
    assert_same(loader.loaded, ["intro", "intro"], "a freed document is loaded again")
    assert_same(cache.stats, CacheStats(hits=0, misses=2, evictions=2, live=0))


@pytest.mark.weight(2)
def test_evictions_count_each_document_freed() -> None:
    cache = DocumentCache(Loader())
    held = [cache.get(name) for name in ("a", "b", "c", "d")]

    del held[1]
    assert_same(cache.stats, CacheStats(hits=0, misses=4, evictions=1, live=3))
    held.clear()
    assert_same(cache.stats, CacheStats(hits=0, misses=4, evictions=4, live=0))


@pytest.mark.weight(2)
def test_a_document_in_a_cycle_waits_for_the_collector() -> None:
    def load(name: str) -> Document:
        document = SelfReferring(name, Section(name), [])
        document.me = document
        return document

    cache = DocumentCache(load)
    document = cache.get("loop")
    watched = weakref.ref(document)
    del document

    assert watched() is not None, "a cycle is not freed by reference counting"
    assert_same(cache.stats, CacheStats(hits=0, misses=1, evictions=0, live=1))
    assert cache.get("loop") is watched(), "still alive, so still cached: a hit"

    gc.collect()
    assert watched() is None
    assert_same(cache.stats, CacheStats(hits=1, misses=1, evictions=1, live=0))


@pytest.mark.weight(2)
def test_documents_do_not_keep_the_cache_alive() -> None:
    cache = DocumentCache(Loader())
    document = cache.get("intro")
    watched = weakref.ref(cache)
    del cache

    assert watched() is None, "a document (or its finalizer) must not hold the cache"
    assert_same(document.name, "intro")


def test_a_failing_load_is_a_miss_and_caches_nothing() -> None:
    calls: list[str] = []

    def load(name: str) -> Document:
        calls.append(name)
        if len(calls) == 1:
            raise OSError(f"cannot read {name}")
        return Document(name, Section(name), [])

    cache = DocumentCache(load)
    with pytest.raises(OSError):
        cache.get("intro")
    document = cache.get("intro")

    assert_same(document.name, "intro")
    assert_same(cache.stats, CacheStats(hits=0, misses=2, evictions=0, live=1))


def test_a_cache_of_many_documents() -> None:
    loader = Loader()
    cache = DocumentCache(loader)
    names = [f"page-{n}" for n in range(50)]
    kept = {name: cache.get(name) for name in names[::2]}
    for name in names:
        cache.get(name)

    assert_same(len(cache), 25, "only the documents someone holds are alive")
    assert all(cache.get(name) is document for name, document in kept.items())
    assert_same(cache.stats, CacheStats(hits=50, misses=50, evictions=25, live=25))
