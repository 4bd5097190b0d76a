"""An in-process event bus for the order service.

The code that places an order publishes `OrderPlaced`; stock, e-mail and analytics subscribe to
it, and neither side imports the other. Three patterns hold it together: observers (handlers
subscribe by event class, and a handler of a base class hears every subclass), a strategy (how
a failing handler affects the others is a policy object the bus is given) and a registry (a
decorator collects a module's handlers, which are bound to a bus at start-up).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar, cast


@dataclass(frozen=True)
class Event:
    """Base class of every domain event."""


E = TypeVar("E", bound=Event)

# What the bus stores and hands to a policy: a handler that takes the event it is given.
AnyHandler = Callable[[Event], None]


class DeliveryPolicy(Protocol):
    """How one event reaches its handlers, which are given in the order they must be called."""

    def deliver(self, event: Event, handlers: Sequence[AnyHandler]) -> None: ...


class FailFast:
    """Calls the handlers in order and stops at the first that raises, letting its error out."""

    def deliver(self, event: Event, handlers: Sequence[AnyHandler]) -> None:
        for handler in handlers:
            handler(event)


class CollectErrors:
    """Calls every handler even when some raise, then raises their errors together."""

    def deliver(self, event: Event, handlers: Sequence[AnyHandler]) -> None:
        errors: list[Exception] = []
        for handler in handlers:
            try:
                handler(event)
            except Exception as error:  # a failing handler must not starve the others
                errors.append(error)
        if errors:
            name = type(event).__name__
            raise ExceptionGroup(f"{len(errors)} of {len(handlers)} handlers failed for {name}", errors)


def _check_event_type(event_type: object) -> None:
    if not (isinstance(event_type, type) and issubclass(event_type, Event)):
        raise TypeError(f"an event type must be a subclass of Event, not {event_type!r}")


class EventBus:
    """Delivers each published event to the handlers of its class and of its base classes."""

    def __init__(self, policy: DeliveryPolicy | None = None) -> None:
        self._policy: DeliveryPolicy = policy if policy is not None else FailFast()
        self._handlers: dict[type[Event], list[AnyHandler]] = {}

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        _check_event_type(event_type)
        if not callable(handler):
            raise TypeError(f"a handler must be callable, not {handler!r}")
        handlers = self._handlers.setdefault(event_type, [])
        if handler not in handlers:
            # The bus only ever calls it with instances of `event_type` or its subclasses.
            handlers.append(cast(AnyHandler, handler))

    def unsubscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        handlers = self._handlers.get(event_type, [])
        if handler not in handlers:
            raise ValueError(f"{handler!r} is not subscribed to {event_type.__name__}")
        handlers.remove(handler)

    def publish(self, event: Event) -> int:
        """Deliver ``event`` through the policy; the number of handlers it was delivered to."""
        if not isinstance(event, Event):
            raise TypeError(f"only an Event can be published, not {event!r}")
        handlers = self._handlers_for(type(event))
        self._policy.deliver(event, handlers)
        return len(handlers)

    def _handlers_for(self, event_type: type[Event]) -> list[AnyHandler]:
        """A new list: the handlers of each class of the MRO, most specific first, each once."""
        found: list[AnyHandler] = []
        for cls in event_type.__mro__:
            for handler in self._handlers.get(cls, ()):
                if handler not in found:
                    found.append(handler)
        return found


class HandlerRegistry:
    """Collects handlers with a decorator, to subscribe them all to a bus later."""

    def __init__(self) -> None:
        self._entries: list[tuple[type[Event], AnyHandler]] = []

    def on(self, event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
        _check_event_type(event_type)

        def register(handler: Callable[[E], None]) -> Callable[[E], None]:
            self._entries.append((event_type, cast(AnyHandler, handler)))
            return handler

        return register

    def bind(self, bus: EventBus) -> None:
        for event_type, handler in self._entries:
            bus.subscribe(event_type, handler)
