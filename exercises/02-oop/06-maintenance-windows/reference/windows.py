"""Maintenance windows: half-open time intervals, and normalised sets of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator


class Window:
    """The half-open interval ``[start, end)`` between two timezone-aware datetimes."""

    __slots__ = ("_start", "_end")

    def __init__(self, start: dt.datetime, end: dt.datetime) -> None:
        for name, value in (("start", start), ("end", end)):
            if not isinstance(value, dt.datetime):
                raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
            if value.utcoffset() is None:
                raise ValueError(f"{name} must be timezone-aware, not naive: {value.isoformat()}")
        if start >= end:
            raise ValueError(f"a window must end after it starts: {start.isoformat()} to {end.isoformat()}")
        self._start = start
        self._end = end

    @property
    def start(self) -> dt.datetime:
        """The first instant of the window."""
        return self._start

    @property
    def end(self) -> dt.datetime:
        """The first instant after the window."""
        return self._end

    @property
    def duration(self) -> dt.timedelta:
        """How long the window lasts."""
        return self._end - self._start

    def __repr__(self) -> str:
        return f"Window({self._start!r}, {self._end!r})"

    def __str__(self) -> str:
        return f"{self._start.isoformat()}/{self._end.isoformat()}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Window):
            return NotImplemented
        # Aware datetimes compare (and hash) as instants, whatever their time zones.
        return (self._start, self._end) == (other._start, other._end)

    def __hash__(self) -> int:
        return hash((self._start, self._end))

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Window):
            return self._start <= item._start and item._end <= self._end
        if isinstance(item, dt.datetime):
            return self._start <= item < self._end
        raise TypeError(f"a window holds datetimes and windows, not {type(item).__name__}")

    def overlaps(self, other: Window) -> bool:
        """Whether the two windows share an instant (windows that only touch do not)."""
        return self._start < other._end and other._start < self._end


class WindowSet:
    """A set of instants kept as disjoint windows, sorted, with touching windows merged."""

    __slots__ = ("_windows",)

    def __init__(self, windows: Iterable[Window] = ()) -> None:
        given = list(windows)
        for window in given:
            if not isinstance(window, Window):
                raise TypeError(f"a WindowSet holds windows, not {type(window).__name__}")
        self._windows = _normalise(given)

    @property
    def total_duration(self) -> dt.timedelta:
        """How long the windows last together."""
        return sum((window.duration for window in self._windows), dt.timedelta())

    def __repr__(self) -> str:
        return f"WindowSet({list(self._windows)!r})"

    def __len__(self) -> int:
        return len(self._windows)

    def __iter__(self) -> Iterator[Window]:
        return iter(self._windows)

    def __bool__(self) -> bool:
        return bool(self._windows)

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, (Window, dt.datetime)):
            raise TypeError(f"a WindowSet holds datetimes and windows, not {type(item).__name__}")
        return any(item in window for window in self._windows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WindowSet):
            return NotImplemented
        return self._windows == other._windows

    def __hash__(self) -> int:
        return hash(self._windows)

    def __or__(self, other: object) -> WindowSet:
        if not isinstance(other, WindowSet):
            return NotImplemented
        return WindowSet((*self._windows, *other._windows))

    def __and__(self, other: object) -> WindowSet:
        if not isinstance(other, WindowSet):
            return NotImplemented
        return WindowSet(
            Window(max(mine.start, theirs.start), min(mine.end, theirs.end))
            for mine in self._windows
            for theirs in other._windows
            if mine.overlaps(theirs)
        )

    def __sub__(self, other: object) -> WindowSet:
        if not isinstance(other, WindowSet):
            return NotImplemented
        pieces: list[Window] = []
        for window in self._windows:
            start = window.start
            for cut in other._windows:
                if not window.overlaps(cut):
                    continue
                if start < cut.start:
                    pieces.append(Window(start, cut.start))
                start = cut.end  # the cuts are sorted and disjoint: each ends past the last
            if start < window.end:
                pieces.append(Window(start, window.end))
        return WindowSet(pieces)


def _normalise(windows: Iterable[Window]) -> tuple[Window, ...]:
    """The windows sorted by start, with overlapping and touching ones merged into one."""
    merged: list[Window] = []
    for window in sorted(windows, key=lambda window: window.start):
        if merged and window.start <= merged[-1].end:
            last = merged.pop()
            merged.append(Window(last.start, max(last.end, window.end)))
        else:
            merged.append(window)
    return tuple(merged)
