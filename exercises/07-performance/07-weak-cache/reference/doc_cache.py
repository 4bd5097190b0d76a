"""An in-process cache of parsed documents that never keeps a document alive by itself.

A documentation server parses each page once and hands the parsed `Document` to whoever
renders it. While any renderer still holds a document, asking for it again must give the
same object; once nobody does, it must be freed at once, not kept for ever by the cache.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Link:
    """A link found in a document: where it points, and on which line.

    A large site has millions of them, so each one is kept small: with ``__slots__`` an
    instance stores its two fields and no ``__dict__``.
    """

    target: str
    line: int


def collect_links(found: Iterable[tuple[str, int]]) -> list[Link]:
    """One Link per ``(target, line)`` pair, in order."""
    return [Link(target, line) for target, line in found]


class Section:
    """A heading of a document's outline, with the sections under it.

    A section holds its children strongly and its parent only weakly, so that a tree makes
    no reference cycle: reference counting alone frees it once nobody holds its root.
    """

    title: str
    children: list[Section]

    def __init__(self, title: str) -> None:
        self.title = title
        self.children = []
        self._parent: weakref.ref[Section] | None = None

    @property
    def parent(self) -> Section | None:
        """The section this one is under; None for a root, or once the parent is gone."""
        return None if self._parent is None else self._parent()

    def add(self, title: str) -> Section:
        """A new section ``title`` under this one, after the ones already there."""
        child = Section(title)
        child._parent = weakref.ref(self)
        self.children.append(child)
        return child

    def path(self) -> str:
        """The titles from the topmost section still alive down to this one."""
        titles = []
        section: Section | None = self
        while section is not None:
            titles.append(section.title)
            section = section.parent
        return " > ".join(reversed(titles))


class Document:
    """A parsed document."""

    def __init__(self, name: str, outline: Section, links: list[Link]) -> None:
        self.name = name
        self.outline = outline
        self.links = links


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    evictions: int
    live: int


class _Counters:
    """The cache's counts. The finalizers of documents call into this object, never into the
    cache itself, so that no document keeps the cache alive."""

    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def evicted(self) -> None:
        self.evictions += 1


class DocumentCache:
    """Documents by name, loaded on a miss, held only as long as someone else holds them."""

    def __init__(self, load: Callable[[str], Document]) -> None:
        self._load = load
        self._documents: weakref.WeakValueDictionary[str, Document] = weakref.WeakValueDictionary()
        self._counters = _Counters()

    def get(self, name: str) -> Document:
        """The live document ``name``, else a freshly loaded one."""
        document = self._documents.get(name)
        if document is not None:
            self._counters.hits += 1
            return document
        self._counters.misses += 1
        document = self._load(name)
        self._documents[name] = document
        weakref.finalize(document, self._counters.evicted)
        return document

    def __len__(self) -> int:
        """How many cached documents are alive."""
        return len(self._documents)

    @property
    def stats(self) -> CacheStats:
        counters = self._counters
        return CacheStats(counters.hits, counters.misses, counters.evictions, len(self))
