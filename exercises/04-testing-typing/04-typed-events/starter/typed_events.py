"""Typed events of the order service, and the dispatcher that delivers them.

It works on paper and means nothing to a type checker: every event is a plain dict, every
handler an untyped function. Give it the types the README describes, then fill in the
bodies. (Leave out `from __future__ import annotations`: with it, Python 3.11's TypedDict
cannot see `NotRequired`.)
"""

from typing import Any

# The three kinds of event, and a tuple of them (hint: a Literal, and typing.get_args).
EventKind = str
EVENT_KINDS = ("order.placed", "order.shipped", "payment.failed")

# Each event is a dict with a "kind" and the fields of its kind (see the README's table).
OrderPlaced = dict[str, Any]
OrderShipped = dict[str, Any]
PaymentFailed = dict[str, Any]
Event = dict[str, Any]


class EventSink:
    """Anything that takes every event: an audit log, a metrics counter, a test's recorder.

    Any object with a matching ``emit`` method must count as one, without deriving from it.
    """

    def emit(self, event):
        """Take one event."""
        raise NotImplementedError


class Registry:
    """Values by key, each key registered once, kept in the order they were registered.

    Generic over the type of its keys (which must be hashable) and of its values.
    """

    def __init__(self):
        self._items = {}

    def register(self, key, value):
        """Add ``value`` under ``key`` and return it; a key registered already raises
        ValueError (``'retries' is already registered``)."""
        raise NotImplementedError

    def get(self, key, default=None):
        """The value under ``key``, or ``default`` (None unless given)."""
        raise NotImplementedError

    def __getitem__(self, key):
        raise NotImplementedError

    def __contains__(self, key):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def keys(self):
        """The keys, in the order they were registered, as a list."""
        raise NotImplementedError


class Dispatcher:
    """Delivers each published event to every sink, then to the handlers of its kind."""

    def __init__(self, sinks=()):
        raise NotImplementedError

    def subscribe(self, kind, handler):
        """Call ``handler`` with every event of ``kind``; return a function that unsubscribes
        it. An unknown kind raises ValueError (``unknown event kind 'order.cancelled'``)."""
        raise NotImplementedError

    def publish(self, event):
        """Deliver ``event`` to every sink, then to its kind's handlers in the order they
        subscribed; return how many handlers it reached."""
        raise NotImplementedError


def parse_event(data):
    """The event that untrusted ``data`` (decoded JSON, say) describes, as a fresh dict with
    only its kind's fields.

    Raises ValueError for an unknown kind, a missing field or a field of the wrong type.
    """
    raise NotImplementedError
