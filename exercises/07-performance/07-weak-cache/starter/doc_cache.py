"""An in-process cache of parsed documents that never keeps a document alive by itself.

A documentation server parses each page once and hands the parsed `Document` to whoever
renders it. While any renderer still holds a document, asking for it again must give the
same object; once nobody does, it must be freed at once, not kept for ever by the cache.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """A link found in a document: where it points, and on which line.

    A large site has millions of them: give each instance ``__slots__`` (and so no
    ``__dict__``), keeping it a frozen dataclass with these two fields.
    """

    target: str
    line: int


def collect_links(found: Iterable[tuple[str, int]]) -> list[Link]:
    """One Link per ``(target, line)`` pair, in order."""
    raise NotImplementedError


class Section:
    """A heading of a document's outline, with the sections under it.

    A section holds its children strongly and its parent only weakly (``weakref.ref``), so
    that a tree makes no reference cycle: reference counting alone frees it once nobody
    holds its root.
    """

    title: str
    children: list[Section]

    def __init__(self, title: str) -> None:
        """A section with no parent and no children yet."""
        raise NotImplementedError

    @property
    def parent(self) -> Section | None:
        """The section this one is under; None for a root, or once the parent is gone."""
        raise NotImplementedError

    def add(self, title: str) -> Section:
        """A new section ``title`` under this one, after the ones already there."""
        raise NotImplementedError

    def path(self) -> str:
        """The titles from the topmost section still alive down to this one, joined by
        ``" > "``: ``"Guide > Install > Linux"``."""
        raise NotImplementedError


class Document:
    """A parsed document. Given: it needs no change."""

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


class DocumentCache:
    """Documents by name, loaded on a miss, held only as long as someone else holds them."""

    def __init__(self, load: Callable[[str], Document]) -> None:
        raise NotImplementedError

    def get(self, name: str) -> Document:
        """The live document ``name`` (a hit), else ``load(name)``'s (a miss).

        Keep documents in a ``weakref.WeakValueDictionary``, and count each one's end with
        ``weakref.finalize``. Neither a document nor its finalizer may refer to the cache.
        """
        raise NotImplementedError

    def __len__(self) -> int:
        """How many cached documents are alive."""
        raise NotImplementedError

    @property
    def stats(self) -> CacheStats:
        """Hits and misses of ``get`` so far, cached documents freed so far, and live ones."""
        raise NotImplementedError
