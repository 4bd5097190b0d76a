"""Tests for typed_events.py.

The `assert_type` calls do nothing at run time: `mypy --strict` checks them, with this file,
against your annotations, so they say which type each call must give its caller. The
tests that read annotations at run time (`get_type_hints`, `get_overloads`) check the
typing constructs the README asks for.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Literal, TypeVar, assert_type, get_args, get_overloads, get_type_hints

import pytest
from pygrade_graders.compare import assert_same

from typed_events import (
    EVENT_KINDS,
    Dispatcher,
    Event,
    EventKind,
    EventSink,
    OrderPlaced,
    OrderShipped,
    PaymentFailed,
    Registry,
    parse_event,
)

PLACED: OrderPlaced = {"kind": "order.placed", "order_id": "A-1", "total_cents": 1250}
SHIPPED: OrderShipped = {"kind": "order.shipped", "order_id": "A-1", "carrier": "DHL"}
FAILED: PaymentFailed = {
    "kind": "payment.failed",
    "order_id": "B-2",
    "reason": "card declined",
    "retryable": False,
}


class AuditLog:
    """An EventSink by shape alone: it does not derive from EventSink."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        self.events.append(event)


# --- parse_event ------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_parse_event_returns_the_event_its_kind_names() -> None:
    event = parse_event({"kind": "order.placed", "order_id": "A-1", "total_cents": 1250})
    assert_type(event, Event)
    assert_same(dict(event), {"kind": "order.placed", "order_id": "A-1", "total_cents": 1250})
    if event["kind"] == "order.placed":
        assert_type(event, OrderPlaced)
        assert_type(event["total_cents"], int)
    else:
        pytest.fail(f"expected an order.placed event, got {event['kind']!r}")


def test_parse_event_keeps_only_the_fields_of_the_kind() -> None:
    data: dict[str, object] = {
        "kind": "payment.failed",
        "order_id": "B-2",
        "reason": "card declined",
        "retryable": True,
        "card_number": "4111 1111 1111 1111",
    }
    event = parse_event(data)
    assert_same(
        dict(event),
        {"kind": "payment.failed", "order_id": "B-2", "reason": "card declined", "retryable": True},
    )
    data["reason"] = "changed"
    assert_same(event["order_id"], "B-2")
    if event["kind"] == "payment.failed":
        assert_type(event["retryable"], bool)
        assert_same(event["reason"], "card declined", "the event must be a fresh dict")


def test_tracking_is_optional_on_a_shipped_event() -> None:
    without = parse_event({"kind": "order.shipped", "order_id": "A-1", "carrier": "DHL"})
    assert_same(dict(without), {"kind": "order.shipped", "order_id": "A-1", "carrier": "DHL"})
    with_tracking = parse_event(
        {"kind": "order.shipped", "order_id": "A-1", "carrier": "UPS", "tracking": "1Z9"}
    )
    if with_tracking["kind"] == "order.shipped":
        assert_type(with_tracking, OrderShipped)
        assert_same(with_tracking.get("tracking"), "1Z9")
    else:
        pytest.fail("expected an order.shipped event")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "order.cancelled", "order_id": "A-1"}, "unknown event kind 'order.cancelled'"),
        ({"order_id": "A-1"}, "unknown event kind None"),
        ({"kind": "order.placed", "total_cents": 5}, "missing field 'order_id'"),
        ({"kind": "order.placed", "order_id": "A-1"}, "missing field 'total_cents'"),
        (
            {"kind": "order.placed", "order_id": "A-1", "total_cents": "5"},
            "field 'total_cents' must be int, not str",
        ),
        (
            {"kind": "order.placed", "order_id": "A-1", "total_cents": True},
            "field 'total_cents' must be int, not bool",
        ),
        (
            {"kind": "order.placed", "order_id": 7, "total_cents": 1},
            "field 'order_id' must be str, not int",
        ),
        (
            {"kind": "order.shipped", "order_id": "A-1", "carrier": "DHL", "tracking": None},
            "field 'tracking' must be str, not NoneType",
        ),
        ({"kind": "order.shipped", "order_id": "A-1"}, "missing field 'carrier'"),
        (
            {"kind": "payment.failed", "order_id": "B", "reason": "x", "retryable": 1},
            "field 'retryable' must be bool, not int",
        ),
        ({"kind": "payment.failed", "order_id": "B", "retryable": True}, "missing field 'reason'"),
        ({"kind": "payment.failed", "order_id": "B", "reason": "x"}, "missing field 'retryable'"),
    ],
)
def test_parse_event_refuses_bad_data(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_event(data)
    assert_same(str(caught.value), message)


# --- Registry ---------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_registry_keeps_the_types_of_its_keys_and_values() -> None:
    registry: Registry[str, int] = Registry()
    registry.register("timeout", 30)
    assert_type(registry.register("retries", 3), int)
    assert_type(registry["retries"], int)
    assert_type(registry.get("retries"), int | None)
    assert_type(registry.get("missing", 0), int)
    assert_type(registry.get("missing", "none"), int | str)
    assert_type(registry.keys(), list[str])
    assert_same(registry["retries"], 3)
    assert_same(registry.get("timeout"), 30)
    assert_same(registry.get("missing"), None)
    assert_same(registry.get("missing", "none"), "none")
    assert_same(registry.keys(), ["timeout", "retries"], "keys keep the order registered")
    assert_same(len(registry), 2)
    assert "timeout" in registry
    assert "missing" not in registry


def test_registry_refuses_a_key_twice_and_keeps_the_first_value() -> None:
    registry: Registry[tuple[str, int], str] = Registry()
    registry.register(("eu", 1), "first")
    with pytest.raises(ValueError, match="already registered"):
        registry.register(("eu", 1), "second")
    assert_same(registry[("eu", 1)], "first")
    assert_same(len(registry), 1)
    with pytest.raises(KeyError):
        registry[("us", 1)]


def test_registry_get_returns_a_falsy_value_rather_than_the_default() -> None:
    registry: Registry[str, int] = Registry()
    registry.register("zero", 0)
    assert_same(registry.get("zero", 99), 0)


# --- Dispatcher -------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_handlers_receive_only_the_events_of_their_kind() -> None:
    placed: list[OrderPlaced] = []
    failed: list[PaymentFailed] = []

    def on_placed(event: OrderPlaced) -> None:
        assert_type(event["total_cents"], int)
        placed.append(event)

    dispatcher = Dispatcher()
    unsubscribe = dispatcher.subscribe("order.placed", on_placed)
    assert_type(unsubscribe, Callable[[], None])
    dispatcher.subscribe("payment.failed", failed.append)
    assert_same(dispatcher.publish(PLACED), 1)
    assert_same(dispatcher.publish(SHIPPED), 0)
    assert_same(dispatcher.publish(FAILED), 1)
    assert_same(placed, [PLACED])
    assert_same(failed, [FAILED])


def test_handlers_run_in_the_order_they_subscribed() -> None:
    calls: list[str] = []
    dispatcher = Dispatcher()
    dispatcher.subscribe("order.shipped", lambda event: calls.append("first " + event["carrier"]))
    dispatcher.subscribe("order.shipped", lambda event: calls.append("second " + event["carrier"]))
    assert_same(dispatcher.publish(SHIPPED), 2)
    assert_same(calls, ["first DHL", "second DHL"])


def test_unsubscribe_stops_delivery_and_can_be_called_twice() -> None:
    received: list[OrderPlaced] = []
    dispatcher = Dispatcher()
    unsubscribe = dispatcher.subscribe("order.placed", received.append)
    other: list[OrderPlaced] = []
    dispatcher.subscribe("order.placed", other.append)
    unsubscribe()
    unsubscribe()
    assert_same(dispatcher.publish(PLACED), 1)
    assert_same(received, [])
    assert_same(other, [PLACED])


def test_a_handler_subscribed_during_publish_waits_for_the_next_event() -> None:
    late: list[OrderPlaced] = []
    dispatcher = Dispatcher()

    def subscribe_another(event: OrderPlaced) -> None:
        dispatcher.subscribe("order.placed", late.append)

    dispatcher.subscribe("order.placed", subscribe_another)
    assert_same(dispatcher.publish(PLACED), 1)
    assert_same(late, [])
    assert_same(dispatcher.publish(PLACED), 2)
    assert_same(late, [PLACED])


def test_sinks_receive_every_event_before_the_handlers() -> None:
    order: list[str] = []
    audit = AuditLog()

    class Recorder:
        def emit(self, event: Event) -> None:
            order.append("sink " + event["kind"])

    dispatcher = Dispatcher([audit, Recorder()])
    dispatcher.subscribe("order.placed", lambda event: order.append("handler"))
    assert_same(dispatcher.publish(PLACED), 1)
    assert_same(dispatcher.publish(FAILED), 0)
    assert_same(audit.events, [PLACED, FAILED])
    assert_same(order, ["sink order.placed", "handler", "sink payment.failed"])


def test_an_unknown_kind_is_refused() -> None:
    dispatcher = Dispatcher()
    kind: Any = "order.cancelled"  # what an untyped caller could pass
    with pytest.raises(ValueError, match="unknown event kind 'order.cancelled'"):
        dispatcher.subscribe(kind, print)


# --- the typing constructs, read at run time --------------------------------------------


def test_event_kinds_are_a_literal() -> None:
    assert_same(get_args(EventKind), ("order.placed", "order.shipped", "payment.failed"))
    assert_same(EVENT_KINDS, ("order.placed", "order.shipped", "payment.failed"))


def test_events_are_typed_dicts_tagged_by_a_literal_kind() -> None:
    assert_same(get_type_hints(OrderPlaced)["kind"], Literal["order.placed"])
    assert_same(get_type_hints(PaymentFailed)["retryable"], bool)
    assert_same(OrderShipped.__required_keys__, frozenset({"kind", "order_id", "carrier"}))
    assert_same(OrderShipped.__optional_keys__, frozenset({"tracking"}))
    assert_same(set(get_args(Event)), {OrderPlaced, OrderShipped, PaymentFailed})


def test_event_sink_is_a_runtime_checkable_protocol() -> None:
    assert isinstance(AuditLog(), EventSink)
    assert not isinstance(object(), EventSink)


def test_registry_is_generic_over_a_hashable_key() -> None:
    key, value = getattr(Registry, "__parameters__")  # Generic[K, V]: the class's TypeVars
    assert isinstance(key, TypeVar) and isinstance(value, TypeVar)
    assert key.__bound__ is Hashable, "a dict's keys must be hashable: bound the key's TypeVar"
    assert_same(len(get_overloads(Registry.get)), 2)


def test_subscribe_has_one_overload_per_kind() -> None:
    overloads = get_overloads(Dispatcher.subscribe)
    kinds = [get_type_hints(o)["kind"] for o in overloads]
    assert_same(
        kinds,
        [Literal["order.placed"], Literal["order.shipped"], Literal["payment.failed"]],
    )


PUBLIC_FUNCTIONS = [
    Registry.register,
    Registry.__getitem__,
    Registry.keys,
    Dispatcher.__init__,
    Dispatcher.publish,
    parse_event,
]


@pytest.mark.parametrize("function", PUBLIC_FUNCTIONS, ids=lambda f: f.__qualname__)
def test_public_signatures_do_not_use_any(function: Callable[..., object]) -> None:
    hints = get_type_hints(function)
    assert hints, f"{function.__qualname__} has no annotations"
    assert "Any" not in repr(hints), f"{function.__qualname__}: {hints}"
