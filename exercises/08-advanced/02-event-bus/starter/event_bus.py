"""An in-process event bus for the order service.

The code that places an order publishes `OrderPlaced`; stock, e-mail and analytics subscribe to
it, and neither side imports the other. Three patterns hold it together: observers (handlers
subscribe by event class, and a handler of a base class hears every subclass), a strategy (how
a failing handler affects the others is a policy object the bus is given) and a registry (a
decorator collects a module's handlers, which are bound to a bus at start-up).

The public interface is below; how the bus keeps its handlers is up to you. Type it so that a
handler of `OrderPlaced` can be subscribed to `OrderPlaced` (and is a type error for
`OrderEvent`), without `Any`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar


@dataclass(frozen=True)
class Event:
    """Base class of every domain event."""


E = TypeVar("E", bound=Event)


class DeliveryPolicy(Protocol):
    """How one event reaches its handlers, which are given in the order they must be called."""

    def deliver(self, event: Event, handlers: Sequence[Callable[[Event], None]]) -> None: ...


class FailFast:
    """Calls the handlers in order and stops at the first that raises, letting its error out."""

    def deliver(self, event: Event, handlers: Sequence[Callable[[Event], None]]) -> None:
        raise NotImplementedError


class CollectErrors:
    """Calls every handler even when some raise (``Exception``, not ``BaseException``), then
    raises ``ExceptionGroup("2 of 3 handlers failed for OrderPlaced", [errors in order])``."""

    def deliver(self, event: Event, handlers: Sequence[Callable[[Event], None]]) -> None:
        raise NotImplementedError


class EventBus:
    """Delivers each published event to the handlers of its class and of its base classes."""

    def __init__(self, policy: DeliveryPolicy | None = None) -> None:
        """``policy`` decides how handlers are called; ``FailFast()`` when none is given."""
        raise NotImplementedError

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        """Call ``handler`` for every event of ``event_type`` or of a subclass.

        TypeError unless ``event_type`` is a subclass of Event and ``handler`` is callable.
        Subscribing a handler to a class it is already subscribed to changes nothing.
        """
        raise NotImplementedError

    def unsubscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        """Undo ``subscribe(event_type, handler)``; ValueError if there is no such subscription."""
        raise NotImplementedError

    def publish(self, event: Event) -> int:
        """Hand ``event`` and its handlers to the policy; return how many handlers there were.

        The handlers: those of each class of ``type(event).__mro__``, most specific class first,
        in the order they subscribed within a class, each handler once. Subscriptions changed
        while the event is delivered count from the next event on. TypeError for a non-Event.
        """
        raise NotImplementedError


class HandlerRegistry:
    """Collects handlers with a decorator, to subscribe them all to a bus later."""

    def __init__(self) -> None:
        raise NotImplementedError

    def on(self, event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
        """A decorator that registers a handler of ``event_type`` and returns it unchanged.

        TypeError at once unless ``event_type`` is a subclass of Event.
        """
        raise NotImplementedError

    def bind(self, bus: EventBus) -> None:
        """Subscribe every registered handler to ``bus``, in the order they were registered."""
        raise NotImplementedError
