"""Tests for subscription.py."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, cast

import pytest
from pygrade_graders.compare import assert_same

from subscription import Subscription


class PartnerSubscription(Subscription):
    """A reseller's subscriptions: a catalogue and a seat limit of their own."""

    __slots__ = ()
    PLANS = MappingProxyType({"partner": 500, "team": 1200})
    MAX_SEATS = 5


# --- making one ------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_a_subscription_keeps_what_it_was_made_with() -> None:
    sub = Subscription("c-1", "team", 5)

    assert_same((sub.customer_id, sub.plan, sub.seats, sub.annual), ("c-1", "team", 5, False))
    assert_same(sub.changes, ())


def test_one_seat_and_monthly_billing_by_default() -> None:
    sub = Subscription("c-1", "starter")

    assert_same((sub.seats, sub.annual), (1, False))


def test_the_plan_name_is_normalised() -> None:
    assert_same(Subscription("c-1", "  Team ").plan, "team")
    assert_same(Subscription.normalise_plan(" BUSINESS\n"), "business")


@pytest.mark.parametrize("customer_id", ["", "   "])
def test_a_subscription_needs_a_customer(customer_id: str) -> None:
    with pytest.raises(ValueError):
        Subscription(customer_id, "team")


def test_a_subscription_is_checked_as_it_is_made() -> None:
    with pytest.raises(ValueError, match="gold"):
        Subscription("c-1", "gold")
    with pytest.raises(ValueError):
        Subscription("c-1", "team", 0)
    with pytest.raises(TypeError):
        Subscription("c-1", "team", cast(Any, 2.0))
    with pytest.raises(TypeError):
        Subscription("c-1", "team", annual=cast(Any, "yes"))


# --- properties with validating setters -------------------------------------------------------


@pytest.mark.weight(2)
def test_seats_can_change_and_the_change_is_recorded() -> None:
    sub = Subscription("c-1", "team", 1)

    sub.seats = 5
    sub.seats = 5
    sub.seats = 3

    assert_same(sub.seats, 3)
    assert_same(sub.changes, ("seats: 1 -> 5", "seats: 5 -> 3"))


@pytest.mark.weight(2)
@pytest.mark.parametrize("seats", [0, -1, 501])
def test_seats_out_of_range_are_refused_and_nothing_changes(seats: int) -> None:
    sub = Subscription("c-1", "team", 4)

    with pytest.raises(ValueError):
        sub.seats = seats
    assert_same((sub.seats, sub.changes), (4, ()))


def test_the_seat_limit_is_inclusive() -> None:
    sub = Subscription("c-1", "team", 1)
    sub.seats = 500

    assert_same(sub.seats, 500)
    assert_same(Subscription("c-2", "team", 500).seats, 500)


@pytest.mark.parametrize("seats", [2.0, "3", True, None])
def test_seats_must_be_an_int(seats: object) -> None:
    sub = Subscription("c-1", "team", 4)

    with pytest.raises(TypeError):
        sub.seats = cast(Any, seats)
    assert_same(sub.seats, 4)


@pytest.mark.weight(2)
def test_the_plan_can_change_to_a_known_plan_and_the_change_is_recorded() -> None:
    sub = Subscription("c-1", "starter", 2)

    sub.plan = "Team"
    sub.plan = "team"
    sub.seats = 3
    sub.plan = "business"

    assert_same(sub.plan, "business")
    assert_same(sub.changes, ("plan: starter -> team", "seats: 2 -> 3", "plan: team -> business"))


@pytest.mark.weight(2)
def test_an_unknown_plan_is_refused_with_the_plans_there_are() -> None:
    sub = Subscription("c-1", "starter")

    with pytest.raises(ValueError) as caught:
        sub.plan = "enterprise"
    assert "enterprise" in str(caught.value)
    assert "business, starter, team" in str(caught.value), "list the plans, sorted"
    with pytest.raises(TypeError):
        sub.plan = cast(Any, 3)
    assert_same((sub.plan, sub.changes), ("starter", ()))


@pytest.mark.weight(2)
def test_customer_id_annual_and_changes_are_read_only() -> None:
    sub = Subscription("c-1", "team", annual=True)

    for name, value in [("customer_id", "c-2"), ("annual", False), ("changes", ())]:
        with pytest.raises(AttributeError):
            setattr(sub, name, value)
    assert_same((sub.customer_id, sub.annual), ("c-1", True))


def test_changes_is_a_copy() -> None:
    sub = Subscription("c-1", "team")
    sub.seats = 2

    changes = sub.changes
    sub.seats = 3

    assert_same(changes, ("seats: 1 -> 2",))


def test_each_subscription_has_its_own_changes() -> None:
    one, two = Subscription("c-1", "team"), Subscription("c-2", "team")

    one.seats = 9

    assert_same(two.changes, ())


# --- the computed price -------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_the_monthly_price_is_seats_times_the_plans_price() -> None:
    assert_same(Subscription("c-1", "starter").monthly_price, 800)
    assert_same(Subscription("c-1", "team", 5).monthly_price, 7495)
    assert_same(Subscription("c-1", "business", 3).monthly_price, 8997)


@pytest.mark.weight(2)
def test_annual_billing_takes_the_discount_off_rounded_down() -> None:
    assert_same(Subscription("c-1", "starter", annual=True).monthly_price, 640)
    assert_same(Subscription("c-1", "team", 3, annual=True).monthly_price, 3597)  # 3597.6
    assert_same(Subscription("c-1", "team", 1, annual=True).monthly_price, 1199)  # 1199.2


def test_the_price_follows_changes() -> None:
    sub = Subscription("c-1", "starter", 2)
    assert_same(sub.monthly_price, 1600)

    sub.seats = 10
    sub.plan = "team"

    assert_same(sub.monthly_price, 14990)


@pytest.mark.weight(2)
def test_the_monthly_price_is_read_only() -> None:
    sub = Subscription("c-1", "team", 2)

    with pytest.raises(AttributeError):
        setattr(sub, "monthly_price", 0)
    assert_same(sub.monthly_price, 2998)


# --- class attributes, slots and repr -----------------------------------------------------------


def test_the_catalogue_is_a_read_only_class_attribute() -> None:
    assert_same(dict(Subscription.PLANS), {"starter": 800, "team": 1499, "business": 2999})
    with pytest.raises(TypeError):
        cast(Any, Subscription.PLANS)["free"] = 0
    with pytest.raises(ValueError):
        Subscription("c-1", "free")


@pytest.mark.weight(2)
def test_a_subclass_brings_its_own_catalogue_and_seat_limit() -> None:
    sub = PartnerSubscription("p-1", "Partner", 5)

    assert_same((sub.plan, sub.monthly_price), ("partner", 2500))
    assert_same(PartnerSubscription("p-1", "team", 2).monthly_price, 2400)
    with pytest.raises(ValueError, match="partner, team"):
        PartnerSubscription("p-1", "business")
    with pytest.raises(ValueError):
        sub.seats = 6
    with pytest.raises(ValueError):
        PartnerSubscription("p-1", "partner", 6)
    assert_same(Subscription("c-1", "team", 6).seats, 6)


@pytest.mark.weight(2)
def test_a_subscription_has_slots_so_a_typo_is_an_error() -> None:
    sub = Subscription("c-1", "team", 2)

    assert not hasattr(sub, "__dict__"), "__slots__: no per-instance __dict__"
    with pytest.raises(AttributeError):
        setattr(sub, "seat", 3)  # `sub.seat = 3`, a typo for seats
    assert_same(sub.seats, 2)


def test_the_repr_names_the_class_and_the_fields() -> None:
    assert_same(
        repr(Subscription("c-1", "team", 5)),
        "Subscription(customer_id='c-1', plan='team', seats=5, annual=False)",
    )
    assert_same(
        repr(PartnerSubscription("p-1", "partner", annual=True)),
        "PartnerSubscription(customer_id='p-1', plan='partner', seats=1, annual=True)",
    )


# --- from_dict and to_dict ----------------------------------------------------------------------


@pytest.mark.weight(2)
def test_from_dict_makes_a_subscription() -> None:
    sub = Subscription.from_dict({"customer_id": "c-1", "plan": "Team", "seats": 4, "annual": True})

    assert type(sub) is Subscription
    assert_same((sub.customer_id, sub.plan, sub.seats, sub.annual), ("c-1", "team", 4, True))
    assert_same(sub.changes, ())


def test_from_dict_defaults_seats_and_annual() -> None:
    sub = Subscription.from_dict({"customer_id": "c-1", "plan": "starter"})

    assert_same((sub.seats, sub.annual), (1, False))


@pytest.mark.weight(2)
def test_from_dict_on_a_subclass_makes_the_subclass() -> None:
    sub = PartnerSubscription.from_dict({"customer_id": "p-1", "plan": "partner", "seats": 2})

    assert type(sub) is PartnerSubscription
    assert_same(sub.monthly_price, 1000)


def test_to_dict_and_from_dict_round_trip() -> None:
    sub = Subscription("c-1", "business", 7, annual=True)

    data = sub.to_dict()

    assert_same(data, {"customer_id": "c-1", "plan": "business", "seats": 7, "annual": True})
    assert_same(Subscription.from_dict(data).to_dict(), data)


@pytest.mark.parametrize("missing", ["customer_id", "plan"])
def test_from_dict_names_a_missing_field(missing: str) -> None:
    data: dict[str, object] = {"customer_id": "c-1", "plan": "team"}
    del data[missing]

    with pytest.raises(ValueError, match=missing):
        Subscription.from_dict(data)


def test_from_dict_names_unknown_fields() -> None:
    with pytest.raises(ValueError, match="discount, price"):
        Subscription.from_dict({"customer_id": "c-1", "plan": "team", "price": 1, "discount": 50})


@pytest.mark.parametrize(
    "data",
    [
        {"customer_id": 1, "plan": "team"},
        {"customer_id": "c-1", "plan": ["team"]},
        {"customer_id": "c-1", "plan": "team", "seats": "3"},
        {"customer_id": "c-1", "plan": "team", "seats": True},
        {"customer_id": "c-1", "plan": "team", "annual": "false"},
        {"customer_id": "c-1", "plan": "team", "annual": 0},
    ],
)
def test_from_dict_refuses_values_of_the_wrong_type(data: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        Subscription.from_dict(data)


def test_from_dict_checks_values_as_the_setters_do() -> None:
    with pytest.raises(ValueError):
        Subscription.from_dict({"customer_id": "c-1", "plan": "team", "seats": 0})
    with pytest.raises(ValueError):
        Subscription.from_dict({"customer_id": " ", "plan": "team"})
