"""Maintenance windows: half-open time intervals, and normalised sets of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator


class Window:
    """The half-open interval ``[start, end)`` between two timezone-aware datetimes.

    A value: it never changes once made, equals any window with the same start
    and end instants, and hashes alike.
    """

    __slots__ = ("_start", "_end")

    def __init__(self, start: dt.datetime, end: dt.datetime) -> None:
        """Keep ``start`` and ``end``.

        TypeError if either is not a datetime; ValueError if either is naive
        (its ``utcoffset()`` is None), or if ``end`` is not after ``start``.
        """
        raise NotImplementedError

    @property
    def start(self) -> dt.datetime:
        """The first instant of the window."""
        raise NotImplementedError

    @property
    def end(self) -> dt.datetime:
        """The first instant after the window."""
        raise NotImplementedError

    @property
    def duration(self) -> dt.timedelta:
        """How long the window lasts."""
        raise NotImplementedError

    def __repr__(self) -> str:
        """``Window(<repr of start>, <repr of end>)``: code that makes the same window."""
        raise NotImplementedError

    def __str__(self) -> str:
        """An ISO 8601 interval: ``<start in isoformat>/<end in isoformat>``."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        """Same start and end instants. NotImplemented for anything but a Window."""
        raise NotImplementedError

    def __hash__(self) -> int:
        raise NotImplementedError

    def __contains__(self, item: object) -> bool:
        """An instant ``start <= item < end``, or a window that lies wholly inside.

        TypeError for anything else.
        """
        raise NotImplementedError

    def overlaps(self, other: Window) -> bool:
        """Whether the two windows share an instant (windows that only touch do not)."""
        raise NotImplementedError


class WindowSet:
    """A set of instants kept as disjoint windows, sorted, with touching windows merged.

    A value too: its operators return new sets, and two sets of the same
    instants are equal however they were made.
    """

    __slots__ = ("_windows",)

    def __init__(self, windows: Iterable[Window] = ()) -> None:
        """Normalise ``windows``: sorted by start, overlapping and touching ones merged.

        TypeError if an item is not a Window.
        """
        raise NotImplementedError

    @property
    def total_duration(self) -> dt.timedelta:
        """How long the windows last together."""
        raise NotImplementedError

    def __repr__(self) -> str:
        """``WindowSet([<repr of each window>, ...])``: code that makes the same set."""
        raise NotImplementedError

    def __len__(self) -> int:
        """The number of disjoint windows."""
        raise NotImplementedError

    def __iter__(self) -> Iterator[Window]:
        """The disjoint windows, by start."""
        raise NotImplementedError

    def __bool__(self) -> bool:
        """Whether the set holds any instant."""
        raise NotImplementedError

    def __contains__(self, item: object) -> bool:
        """An instant in one of the windows, or a window inside one of them.

        TypeError for anything else, even when the set is empty.
        """
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        """The same instants. NotImplemented for anything but a WindowSet."""
        raise NotImplementedError

    def __hash__(self) -> int:
        raise NotImplementedError

    def __or__(self, other: object) -> WindowSet:
        """The instants in either set. NotImplemented for anything but a WindowSet."""
        raise NotImplementedError

    def __and__(self, other: object) -> WindowSet:
        """The instants in both sets. NotImplemented for anything but a WindowSet."""
        raise NotImplementedError

    def __sub__(self, other: object) -> WindowSet:
        """The instants of ``self`` not in ``other``. NotImplemented for anything but a WindowSet."""
        raise NotImplementedError
