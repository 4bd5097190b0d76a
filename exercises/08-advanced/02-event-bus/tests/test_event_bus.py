"""Tests for event_bus.py, through its public interface only.

`assert_type` does nothing at run time; under mypy it checks that the registry's decorator keeps
a handler's type instead of turning it into `Any`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import assert_type

import pytest
from pygrade_graders.compare import assert_same

from event_bus import CollectErrors, Event, EventBus, FailFast, HandlerRegistry


@dataclass(frozen=True)
class OrderEvent(Event):
    order_id: str


@dataclass(frozen=True)
class OrderPlaced(OrderEvent):
    total: Decimal


@dataclass(frozen=True)
class OrderCancelled(OrderEvent):
    reason: str


@dataclass(frozen=True)
class Audited(Event):
    """A mixin: every event that the audit log must keep."""


@dataclass(frozen=True)
class OrderRefunded(OrderEvent, Audited):
    amount: Decimal


@dataclass(frozen=True)
class StockLow(Event):
    sku: str


PLACED = OrderPlaced("o-1", Decimal("20.00"))
CANCELLED = OrderCancelled("o-1", "customer asked")
REFUNDED = OrderRefunded("o-1", Decimal("20.00"))


class Calls:
    """Records which handler saw which event, in the order they were called."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Event]] = []

    def handler(self, name: str) -> Callable[[Event], None]:
        def handle(event: Event) -> None:
            self.seen.append((name, event))

        handle.__name__ = name
        return handle

    def failing(self, name: str, error: Exception) -> Callable[[Event], None]:
        def handle(event: Event) -> None:
            self.seen.append((name, event))
            raise error

        handle.__name__ = name
        return handle

    def names(self) -> list[str]:
        return [name for name, _ in self.seen]


# --- subscribing and publishing -------------------------------------------------------------


def test_a_handler_gets_the_events_of_its_class() -> None:
    bus = EventBus()
    received: list[OrderPlaced] = []

    def reserve_stock(event: OrderPlaced) -> None:
        received.append(event)

    bus.subscribe(OrderPlaced, reserve_stock)

    assert_same(bus.publish(PLACED), 1)
    assert len(received) == 1 and received[0] is PLACED


def test_handlers_of_one_class_are_called_in_the_order_they_subscribed() -> None:
    bus, calls = EventBus(), Calls()
    for name in ("stock", "email", "analytics"):
        bus.subscribe(OrderPlaced, calls.handler(name))

    assert_same(bus.publish(PLACED), 3)

    assert_same(calls.names(), ["stock", "email", "analytics"])


def test_an_event_nobody_listens_to_reaches_no_one() -> None:
    bus, calls = EventBus(), Calls()
    bus.subscribe(OrderCancelled, calls.handler("cancelled"))
    bus.subscribe(StockLow, calls.handler("stock"))

    assert_same(bus.publish(PLACED), 0)
    assert_same(calls.names(), [])


def test_a_handler_of_a_subclass_does_not_hear_its_base_class() -> None:
    bus, calls = EventBus(), Calls()
    bus.subscribe(OrderPlaced, calls.handler("placed"))

    assert_same(bus.publish(OrderEvent("o-2")), 0)
    assert_same(calls.names(), [])


@pytest.mark.weight(2)
def test_handlers_of_base_classes_are_called_along_the_mro_most_specific_first() -> None:
    bus, calls = EventBus(), Calls()
    # Subscribed in the opposite order to the one they must be called in.
    bus.subscribe(Event, calls.handler("every event"))
    bus.subscribe(Audited, calls.handler("audit log"))
    bus.subscribe(OrderEvent, calls.handler("order history"))
    bus.subscribe(OrderRefunded, calls.handler("refund"))
    bus.subscribe(OrderPlaced, calls.handler("placed"))

    assert_same(bus.publish(REFUNDED), 4)
    # OrderRefunded's MRO: OrderRefunded, OrderEvent, Audited, Event, object.
    assert_same(calls.names(), ["refund", "order history", "audit log", "every event"])
    assert all(event is REFUNDED for _, event in calls.seen)


def test_a_handler_of_event_hears_everything() -> None:
    bus, calls = EventBus(), Calls()
    bus.subscribe(Event, calls.handler("all"))

    for event in (PLACED, CANCELLED, StockLow("BRD-001")):
        bus.publish(event)

    assert_same([event for _, event in calls.seen], [PLACED, CANCELLED, StockLow("BRD-001")])


def test_a_handler_subscribed_to_a_class_and_its_base_is_called_once() -> None:
    bus, calls = EventBus(), Calls()
    log = calls.handler("log")
    bus.subscribe(Event, log)
    bus.subscribe(OrderPlaced, log)
    bus.subscribe(OrderEvent, calls.handler("history"))

    assert_same(bus.publish(PLACED), 2)
    assert_same(calls.names(), ["log", "history"])


def test_subscribing_the_same_handler_twice_to_one_class_changes_nothing() -> None:
    bus, calls = EventBus(), Calls()
    email = calls.handler("email")
    bus.subscribe(OrderPlaced, email)
    bus.subscribe(OrderPlaced, calls.handler("stock"))
    bus.subscribe(OrderPlaced, email)

    assert_same(bus.publish(PLACED), 2)
    assert_same(calls.names(), ["email", "stock"])


def test_bound_methods_subscribe_and_unsubscribe_like_functions() -> None:
    class Mailer:
        def __init__(self) -> None:
            self.sent: list[str] = []

        def on_placed(self, event: OrderPlaced) -> None:
            self.sent.append(event.order_id)

    bus, mailer = EventBus(), Mailer()
    bus.subscribe(OrderPlaced, mailer.on_placed)
    bus.subscribe(OrderPlaced, mailer.on_placed)  # a new bound method object, the same handler
    bus.publish(PLACED)
    bus.unsubscribe(OrderPlaced, mailer.on_placed)
    bus.publish(PLACED)

    assert_same(mailer.sent, ["o-1"])


def test_an_unsubscribed_handler_hears_nothing_more() -> None:
    bus, calls = EventBus(), Calls()
    email, stock = calls.handler("email"), calls.handler("stock")
    bus.subscribe(OrderPlaced, email)
    bus.subscribe(OrderPlaced, stock)
    bus.publish(PLACED)

    bus.unsubscribe(OrderPlaced, email)
    assert_same(bus.publish(PLACED), 1)

    assert_same(calls.names(), ["email", "stock", "stock"])


def test_unsubscribing_from_one_class_keeps_the_subscription_to_another() -> None:
    bus, calls = EventBus(), Calls()
    log = calls.handler("log")
    bus.subscribe(OrderPlaced, log)
    bus.subscribe(OrderCancelled, log)

    bus.unsubscribe(OrderPlaced, log)

    assert_same((bus.publish(PLACED), bus.publish(CANCELLED)), (0, 1))
    assert_same(calls.seen, [("log", CANCELLED)])


def test_unsubscribing_what_is_not_subscribed_is_an_error() -> None:
    bus, calls = EventBus(), Calls()
    email = calls.handler("email")
    bus.subscribe(OrderEvent, email)

    with pytest.raises(ValueError, match="OrderPlaced"):
        bus.unsubscribe(OrderPlaced, email)  # subscribed to the base class, not to this one
    with pytest.raises(ValueError, match="StockLow"):
        bus.unsubscribe(StockLow, calls.handler("other"))
    assert_same(bus.publish(PLACED), 1)


def test_changes_made_during_a_delivery_apply_from_the_next_event_on() -> None:
    bus, calls = EventBus(), Calls()
    late = calls.handler("late")
    second = calls.handler("second")

    def first(event: Event) -> None:
        calls.seen.append(("first", event))
        bus.unsubscribe(OrderPlaced, second)
        bus.subscribe(OrderPlaced, late)

    bus.subscribe(OrderPlaced, first)
    bus.subscribe(OrderPlaced, second)

    assert_same(bus.publish(PLACED), 2)
    assert_same(calls.names(), ["first", "second"])
    bus.unsubscribe(OrderPlaced, first)
    assert_same(bus.publish(PLACED), 1)
    assert_same(calls.names(), ["first", "second", "late"])


def test_a_handler_may_publish_another_event_which_is_delivered_at_once() -> None:
    bus, calls = EventBus(), Calls()

    def cancel_when_out_of_stock(event: OrderPlaced) -> None:
        calls.seen.append(("placed", event))
        bus.publish(OrderCancelled(event.order_id, "out of stock"))

    bus.subscribe(OrderPlaced, cancel_when_out_of_stock)
    bus.subscribe(OrderCancelled, calls.handler("cancelled"))
    bus.subscribe(OrderPlaced, calls.handler("email"))

    bus.publish(PLACED)

    assert_same(calls.names(), ["placed", "cancelled", "email"])


@pytest.mark.parametrize("event_type", [int, "OrderPlaced", object, None])
def test_only_event_classes_can_be_subscribed_to(event_type: object) -> None:
    bus, calls = EventBus(), Calls()

    with pytest.raises(TypeError):
        bus.subscribe(event_type, calls.handler("x"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        HandlerRegistry().on(event_type)  # type: ignore[arg-type]
    assert_same(bus.publish(PLACED), 0)


def test_a_handler_must_be_callable() -> None:
    bus = EventBus()

    with pytest.raises(TypeError):
        bus.subscribe(OrderPlaced, "send_email")  # type: ignore[arg-type]
    assert_same(bus.publish(PLACED), 0)


@pytest.mark.parametrize("thing", [OrderPlaced, "OrderPlaced", None])
def test_only_events_can_be_published(thing: object) -> None:
    bus, calls = EventBus(), Calls()
    bus.subscribe(Event, calls.handler("all"))

    with pytest.raises(TypeError):
        bus.publish(thing)  # type: ignore[arg-type]
    assert_same(calls.names(), [])


# --- delivery policies ----------------------------------------------------------------------


@pytest.mark.parametrize("bus", [EventBus(), EventBus(FailFast())], ids=["default", "FailFast"])
def test_fail_fast_stops_at_the_first_failing_handler(bus: EventBus) -> None:
    calls = Calls()
    error = RuntimeError("mail server down")
    bus.subscribe(OrderPlaced, calls.handler("stock"))
    bus.subscribe(OrderPlaced, calls.failing("email", error))
    bus.subscribe(OrderEvent, calls.handler("history"))

    with pytest.raises(RuntimeError) as caught:
        bus.publish(PLACED)

    assert caught.value is error, "the handler's own exception comes out, not a new one"
    assert_same(calls.names(), ["stock", "email"])


@pytest.mark.weight(2)
def test_collect_errors_calls_every_handler_then_raises_all_failures_together() -> None:
    bus, calls = EventBus(CollectErrors()), Calls()
    mail_down = RuntimeError("mail server down")
    bad_sku = KeyError("BRD-404")
    bus.subscribe(OrderPlaced, calls.failing("email", mail_down))
    bus.subscribe(OrderPlaced, calls.handler("stock"))
    bus.subscribe(OrderEvent, calls.failing("history", bad_sku))

    with pytest.raises(ExceptionGroup) as caught:
        bus.publish(PLACED)

    group = caught.value
    assert_same(calls.names(), ["email", "stock", "history"])
    assert_same(group.message, "2 of 3 handlers failed for OrderPlaced")
    assert len(group.exceptions) == 2
    assert group.exceptions[0] is mail_down and group.exceptions[1] is bad_sku


def test_collect_errors_raises_nothing_when_every_handler_succeeds() -> None:
    bus, calls = EventBus(CollectErrors()), Calls()
    bus.subscribe(OrderPlaced, calls.handler("email"))
    bus.subscribe(OrderEvent, calls.handler("history"))

    assert_same(bus.publish(PLACED), 2)
    assert_same(calls.names(), ["email", "history"])


def test_collect_errors_reports_a_single_failure_as_a_group_too() -> None:
    bus, calls = EventBus(CollectErrors()), Calls()
    bus.subscribe(OrderCancelled, calls.failing("refund", ValueError("no payment")))

    with pytest.raises(ExceptionGroup) as caught:
        bus.publish(CANCELLED)

    assert_same(caught.value.message, "1 of 1 handlers failed for OrderCancelled")


class Shutdown(BaseException):
    """Not an error of a handler: like KeyboardInterrupt, it must not be collected."""


def test_collect_errors_lets_a_base_exception_through_at_once() -> None:
    bus, calls = EventBus(CollectErrors()), Calls()
    bus.subscribe(OrderPlaced, calls.failing("email", ValueError("bad address")))

    def stop(event: OrderPlaced) -> None:
        raise Shutdown

    bus.subscribe(OrderPlaced, stop)
    bus.subscribe(OrderPlaced, calls.handler("stock"))

    with pytest.raises(Shutdown):
        bus.publish(PLACED)
    assert_same(calls.names(), ["email"])


class Reversed:
    """A policy of the test's own: it records what the bus hands it and calls the handlers
    last to first."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[Event, int]] = []

    def deliver(self, event: Event, handlers: Sequence[Callable[[Event], None]]) -> None:
        self.deliveries.append((event, len(handlers)))
        for handler in reversed(handlers):
            handler(event)


def test_the_bus_leaves_delivery_to_any_policy_it_is_given() -> None:
    policy, calls = Reversed(), Calls()
    bus = EventBus(policy)
    bus.subscribe(Event, calls.handler("all"))
    bus.subscribe(OrderPlaced, calls.handler("placed"))
    bus.subscribe(OrderEvent, calls.handler("history"))

    assert_same(bus.publish(PLACED), 3)
    bus.publish(StockLow("BRD-001"))

    assert_same(calls.names(), ["all", "history", "placed", "all"])
    assert len(policy.deliveries) == 2
    assert policy.deliveries[0][0] is PLACED and policy.deliveries[0][1] == 3
    assert_same(policy.deliveries[1][1], 1)


def test_the_policy_is_asked_even_when_nobody_listens() -> None:
    policy = Reversed()
    bus = EventBus(policy)

    assert_same(bus.publish(PLACED), 0)

    assert len(policy.deliveries) == 1 and policy.deliveries[0] == (PLACED, 0)


# --- the registry ---------------------------------------------------------------------------


def test_the_registry_decorator_returns_the_handler_itself() -> None:
    registry = HandlerRegistry()

    def reserve_stock(event: OrderPlaced) -> None:
        pass

    decorated = registry.on(OrderPlaced)(reserve_stock)

    # A decorator typed with Any would make this call Any, not None.
    assert_type(decorated(PLACED), None)
    assert decorated is reserve_stock


@pytest.mark.weight(2)
def test_handlers_registered_with_the_decorator_are_subscribed_by_bind() -> None:
    registry = HandlerRegistry()
    seen: list[str] = []

    @registry.on(OrderPlaced)
    def reserve_stock(event: OrderPlaced) -> None:
        seen.append(f"reserve {event.order_id}")

    @registry.on(OrderEvent)
    def record_history(event: OrderEvent) -> None:
        seen.append(f"history {event.order_id}")

    @registry.on(OrderPlaced)
    def send_confirmation(event: OrderPlaced) -> None:
        seen.append(f"confirm {event.total}")

    bus = EventBus()
    assert_same(bus.publish(PLACED), 0, "nothing is subscribed before bind")
    registry.bind(bus)

    assert_same(bus.publish(PLACED), 3)
    assert_same(bus.publish(CANCELLED), 1)
    assert_same(seen, ["reserve o-1", "confirm 20.00", "history o-1", "history o-1"])
    reserve_stock(PLACED)  # still a plain function
    assert_same(seen[-1], "reserve o-1")


def test_one_registry_can_be_bound_to_several_buses_and_a_handler_unsubscribed() -> None:
    registry = HandlerRegistry()
    seen: list[str] = []

    @registry.on(OrderCancelled)
    def refund(event: OrderCancelled) -> None:
        seen.append(event.reason)

    first, second = EventBus(), EventBus()
    registry.bind(first)
    registry.bind(second)
    second.unsubscribe(OrderCancelled, refund)

    assert_same((first.publish(CANCELLED), second.publish(CANCELLED)), (1, 0))
    assert_same(seen, ["customer asked"])


def test_registries_are_independent() -> None:
    orders, shipping = HandlerRegistry(), HandlerRegistry()
    calls = Calls()
    orders.on(OrderPlaced)(calls.handler("orders"))
    shipping.on(OrderPlaced)(calls.handler("shipping"))

    bus = EventBus()
    shipping.bind(bus)
    bus.publish(PLACED)

    assert_same(calls.names(), ["shipping"])
