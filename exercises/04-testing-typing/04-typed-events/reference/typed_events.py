"""Typed events of the order service, and the dispatcher that delivers them."""

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import (
    Any,
    Generic,
    Literal,
    NotRequired,
    Protocol,
    TypedDict,
    TypeVar,
    get_args,
    overload,
    runtime_checkable,
)

EventKind = Literal["order.placed", "order.shipped", "payment.failed"]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)


class OrderPlaced(TypedDict):
    """A customer placed an order."""

    kind: Literal["order.placed"]
    order_id: str
    total_cents: int


class OrderShipped(TypedDict):
    """An order left the warehouse; `tracking` once the carrier gave a number."""

    kind: Literal["order.shipped"]
    order_id: str
    carrier: str
    tracking: NotRequired[str]


class PaymentFailed(TypedDict):
    """Charging an order failed."""

    kind: Literal["payment.failed"]
    order_id: str
    reason: str
    retryable: bool


Event = OrderPlaced | OrderShipped | PaymentFailed


@runtime_checkable
class EventSink(Protocol):
    """Anything that takes every event: an audit log, a metrics counter, a test's recorder."""

    def emit(self, event: Event) -> None:
        """Take one event."""
        ...


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
D = TypeVar("D")
T = TypeVar("T")


class Registry(Generic[K, V]):
    """Values by key, each key registered once, kept in the order they were registered."""

    def __init__(self) -> None:
        self._items: dict[K, V] = {}

    def register(self, key: K, value: V) -> V:
        """Add `value` under `key` and return it; a key registered already raises ValueError."""
        if key in self._items:
            raise ValueError(f"{key!r} is already registered")
        self._items[key] = value
        return value

    @overload
    def get(self, key: K) -> V | None: ...

    @overload
    def get(self, key: K, default: D) -> V | D: ...

    def get(self, key: K, default: D | None = None) -> V | D | None:
        """The value under `key`, or `default`."""
        return self._items.get(key, default)

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> list[K]:
        """The keys, in the order they were registered."""
        return list(self._items)


class Dispatcher:
    """Delivers each published event to every sink, then to the handlers of its kind."""

    def __init__(self, sinks: Iterable[EventSink] = ()) -> None:
        self._sinks = list(sinks)
        self._handlers: Registry[EventKind, list[Callable[[Any], None]]] = Registry()

    @overload
    def subscribe(
        self, kind: Literal["order.placed"], handler: Callable[[OrderPlaced], None]
    ) -> Callable[[], None]: ...

    @overload
    def subscribe(
        self, kind: Literal["order.shipped"], handler: Callable[[OrderShipped], None]
    ) -> Callable[[], None]: ...

    @overload
    def subscribe(
        self, kind: Literal["payment.failed"], handler: Callable[[PaymentFailed], None]
    ) -> Callable[[], None]: ...

    def subscribe(self, kind: EventKind, handler: Callable[[Any], None]) -> Callable[[], None]:
        """Call `handler` with every event of `kind`; return a function that unsubscribes it."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        handlers = self._handlers.get(kind)
        if handlers is None:
            handlers = self._handlers.register(kind, [])
        handlers.append(handler)

        def unsubscribe() -> None:
            if handler in handlers:
                handlers.remove(handler)

        return unsubscribe

    def publish(self, event: Event) -> int:
        """Deliver `event`; return how many handlers it reached (sinks not counted)."""
        for sink in self._sinks:
            sink.emit(event)
        handlers = list(self._handlers.get(event["kind"], []))
        for handler in handlers:
            handler(event)
        return len(handlers)


def parse_event(data: Mapping[str, object]) -> Event:
    """The event that untrusted `data` (decoded JSON, say) describes, as a fresh dict.

    Raises ValueError for an unknown kind, a missing field or a field of the wrong type.
    """
    kind = data.get("kind")
    if kind == "order.placed":
        return OrderPlaced(
            kind=kind,
            order_id=_field(data, "order_id", str),
            total_cents=_field(data, "total_cents", int),
        )
    if kind == "order.shipped":
        shipped = OrderShipped(
            kind=kind,
            order_id=_field(data, "order_id", str),
            carrier=_field(data, "carrier", str),
        )
        if "tracking" in data:
            shipped["tracking"] = _field(data, "tracking", str)
        return shipped
    if kind == "payment.failed":
        return PaymentFailed(
            kind=kind,
            order_id=_field(data, "order_id", str),
            reason=_field(data, "reason", str),
            retryable=_field(data, "retryable", bool),
        )
    raise ValueError(f"unknown event kind {kind!r}")


def _field(data: Mapping[str, object], name: str, expected: type[T]) -> T:
    if name not in data:
        raise ValueError(f"missing field {name!r}")
    value = data[name]
    if isinstance(value, bool) and expected is not bool:
        raise ValueError(f"field {name!r} must be {expected.__name__}, not bool")
    if not isinstance(value, expected):
        raise ValueError(f"field {name!r} must be {expected.__name__}, not {type(value).__name__}")
    return value
