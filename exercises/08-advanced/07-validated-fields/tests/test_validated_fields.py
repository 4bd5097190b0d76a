"""Tests for the validated fields exercise.

Every model class made here takes a kind of its own, as the registry is shared.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pygrade_graders.compare import assert_same

from models import (
    MODELS,
    Field,
    Integer,
    Model,
    Number,
    Text,
    ValidationError,
    fields_of,
    load,
    make_model,
    with_repr,
)


@with_repr
class Reading(Model, kind="reading"):
    sensor = Text(max_length=12)
    celsius = Number(minimum=-90, maximum=60)
    battery = Integer(minimum=0, maximum=100, optional=True)


@with_repr
class HumidReading(Reading):
    humidity = Number(minimum=0, maximum=100)
    battery = Integer(minimum=5, maximum=100, optional=True)


def reading(**overrides: object) -> Reading:
    values: dict[str, object] = {"sensor": "t-1", "celsius": 21.5, "battery": 80}
    values.update(overrides)
    return Reading(**values)


# --- descriptors ------------------------------------------------------------------


def test_fields_learn_their_names() -> None:
    assert_same((Reading.sensor.name, Reading.celsius.name), ("sensor", "celsius"))
    assert isinstance(Reading.battery, Integer), "on the class, a field reads as itself"


def test_an_instance_reads_its_values() -> None:
    r = reading()

    assert_same((r.sensor, r.celsius, r.battery), ("t-1", 21.5, 80))


def test_each_instance_has_its_own_values() -> None:
    first, second = reading(sensor="a"), reading(sensor="b")

    assert_same((first.sensor, second.sensor), ("a", "b"))


def test_a_number_keeps_an_int_as_a_float() -> None:
    assert_same(reading(celsius=20).celsius, 20.0)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("celsius", 60.5, "Reading.celsius: 60.5 is above the maximum 60"),
        ("celsius", -91, "Reading.celsius: -91.0 is below the minimum -90"),
        ("celsius", "20", "Reading.celsius: expected float, got str '20'"),
        ("celsius", True, "Reading.celsius: expected float, got bool True"),
        ("celsius", None, "Reading.celsius: is required"),
        ("battery", 101, "Reading.battery: 101 is above the maximum 100"),
        ("battery", -1, "Reading.battery: -1 is below the minimum 0"),
        ("battery", 5.0, "Reading.battery: expected int, got float 5.0"),
        ("battery", False, "Reading.battery: expected int, got bool False"),
        ("sensor", "thermometer-1", "Reading.sensor: 'thermometer-1' is longer than 12 characters"),
        ("sensor", 7, "Reading.sensor: expected str, got int 7"),
        ("sensor", None, "Reading.sensor: is required"),
    ],
)
def test_an_assignment_is_validated(field: str, value: object, message: str) -> None:
    r = reading()
    before = getattr(r, field)

    with pytest.raises(ValidationError) as caught:
        setattr(r, field, value)

    assert_same(str(caught.value), message)
    assert_same(caught.value.field, f"Reading.{field}")
    assert_same(getattr(r, field), before, "a refused value leaves the old one")


@pytest.mark.parametrize(
    ("field", "value"),
    [("celsius", 60), ("celsius", -90), ("battery", 0), ("battery", 100), ("battery", None),
     ("sensor", "abcdefghijkl"), ("sensor", "")],
)
def test_values_on_the_limits_are_accepted(field: str, value: object) -> None:
    r = reading()

    setattr(r, field, value)

    expected = float(value) if field == "celsius" and isinstance(value, int) else value
    assert_same(getattr(r, field), expected)


def test_a_validation_error_is_a_value_error_not_chained() -> None:
    with pytest.raises(ValueError) as caught:
        reading(battery="full")

    assert isinstance(caught.value, ValidationError)
    assert_same(caught.value.reason, "expected int, got str 'full'")
    assert caught.value.__suppress_context__ or caught.value.__context__ is None


def test_a_field_has_no_name_until_its_class_is_made() -> None:
    field = Integer()

    assert_same((field.name, field.qualname), ("", ""))


def test_a_range_may_have_one_end() -> None:
    floor, ceiling = Number(minimum=0), Integer(maximum=10)
    floor.__set_name__(Reading, "floor")
    ceiling.__set_name__(Reading, "ceiling")

    assert_same((floor.validate(1e9), ceiling.validate(-5)), (1e9, -5))
    with pytest.raises(ValidationError):
        floor.validate(-0.5)


def test_text_choices() -> None:
    field = Text(choices=("low", "high"))
    field.__set_name__(Reading, "level")

    assert_same(field.validate("low"), "low")
    with pytest.raises(ValidationError, match=r"^Reading.level: 'mid' is not one of 'low', 'high'$"):
        field.validate("mid")


def test_a_plain_field_takes_any_value_but_none() -> None:
    class Note:
        body = Field()
        extra = Field(optional=True)

    note = Note()
    note.body = [1, 2]
    note.extra = None

    assert_same((note.body, note.extra), ([1, 2], None))
    with pytest.raises(ValidationError, match=r"^Note.body: is required$"):
        note.body = None


# --- the model base and the registry ----------------------------------------------


def test_models_are_registered_by_kind() -> None:
    assert MODELS["reading"] is Reading
    assert MODELS["humidreading"] is HumidReading, "the kind defaults to the lower-case class name"
    assert_same((Reading.kind, HumidReading.kind), ("reading", "humidreading"))


def test_models_need_no_metaclass() -> None:
    assert type(Model) is type
    assert type(Reading) is type
    assert type(make_model("Plain", {"n": {"type": "int"}}, kind="made-plain")) is type


def test_a_kind_can_be_taken_once() -> None:
    with pytest.raises(TypeError, match=r"^model kind 'reading' is already taken by Reading$"):

        class Other(Model, kind="reading"):
            value = Integer()

    assert MODELS["reading"] is Reading


def test_other_class_keywords_reach_the_next_base() -> None:
    seen: dict[str, Any] = {}

    class Tagged:
        def __init_subclass__(cls, *, tag: str = "", **kwargs: Any) -> None:
            super().__init_subclass__(**kwargs)
            seen[cls.__name__] = tag

    class Event(Model, Tagged, kind="tagged-event", tag="ops"):
        name = Text()

    assert_same(seen, {"Event": "ops"})
    assert MODELS["tagged-event"] is Event


def test_a_model_is_built_from_keywords_and_absent_fields_are_none() -> None:
    r = Reading(sensor="t-2", celsius=3)

    assert_same((r.sensor, r.celsius, r.battery), ("t-2", 3.0, None))


def test_a_required_field_left_out_is_an_error() -> None:
    with pytest.raises(ValidationError, match=r"^Reading.celsius: is required$"):
        Reading(sensor="t-2")


def test_an_unknown_keyword_is_refused_before_anything_is_set() -> None:
    with pytest.raises(TypeError, match=r"^Reading has no field 'celcius'$"):
        Reading(sensor="t-2", celcius=3, celsius=999)


def test_load_builds_the_model_that_the_kind_names() -> None:
    data = {"kind": "humidreading", "sensor": "h-1", "celsius": 4, "humidity": 55}

    loaded = load(data)

    assert type(loaded) is HumidReading
    assert_same(loaded.as_dict(), {"sensor": "h-1", "celsius": 4.0, "battery": None, "humidity": 55.0})  # type: ignore[attr-defined]
    assert_same(data["kind"], "humidreading", "load must not change its argument")


@pytest.mark.parametrize("data", [{"kind": "wind", "speed": 3}, {"speed": 3}, {"kind": 5}])
def test_load_refuses_an_unknown_kind(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"^unknown model kind "):
        load(data)


# --- fields_of and the class decorator --------------------------------------------


@pytest.mark.weight(2)
def test_fields_of_lists_base_fields_first_and_keeps_redeclared_places() -> None:
    fields = fields_of(HumidReading)

    assert_same(list(fields), ["sensor", "celsius", "battery", "humidity"])
    assert fields["battery"] is vars(HumidReading)["battery"]
    assert fields["sensor"] is vars(Reading)["sensor"]


def test_fields_of_ignores_other_attributes() -> None:
    class Plain:
        LIMIT = 3
        size = Integer()

        def method(self) -> None: ...

    assert_same(list(fields_of(Plain)), ["size"])


@pytest.mark.weight(2)
def test_the_decorator_writes_repr_from_the_fields() -> None:
    assert_same(repr(reading()), "Reading(sensor='t-1', celsius=21.5, battery=80)")
    assert_same(
        repr(HumidReading(sensor="h", celsius=1, humidity=2, battery=None)),
        "HumidReading(sensor='h', celsius=1.0, battery=None, humidity=2.0)",
    )


def test_the_repr_names_the_instances_own_class() -> None:
    class Indoor(Reading, kind="indoor-reading"):
        pass

    assert_same(repr(Indoor(sensor="i", celsius=20)), "Indoor(sensor='i', celsius=20.0, battery=None)")


def test_the_decorator_writes_as_dict_with_a_new_dict_each_time() -> None:
    r = reading()
    first = r.as_dict()  # type: ignore[attr-defined]
    first["sensor"] = "changed"

    assert_same(r.as_dict(), {"sensor": "t-1", "celsius": 21.5, "battery": 80})  # type: ignore[attr-defined]


def test_the_decorator_returns_the_class_and_works_on_any_class() -> None:
    class Point:
        x = Integer()
        y = Integer()

        def __init__(self, x: int, y: int) -> None:
            self.x, self.y = x, y

    decorated = with_repr(Point)

    assert decorated is Point
    assert_same(repr(Point(1, 2)), "Point(x=1, y=2)")


# --- make_model -------------------------------------------------------------------


SCHEMA: dict[str, dict[str, Any]] = {
    "level": {"type": "str", "choices": ["low", "high"]},
    "count": {"type": "int", "minimum": 1},
    "ratio": {"type": "float", "maximum": 1.0, "optional": True},
}


@pytest.mark.weight(2)
def test_make_model_creates_a_registered_model_class() -> None:
    alert = make_model("Alert", SCHEMA, kind="made-alert")

    assert issubclass(alert, Model)
    assert_same(alert.__name__, "Alert")
    assert MODELS["made-alert"] is alert
    assert_same(list(fields_of(alert)), ["level", "count", "ratio"])
    made = alert(level="high", count=3)
    assert_same(repr(made), "Alert(level='high', count=3, ratio=None)")
    assert_same(load({"kind": "made-alert", "level": "low", "count": 1, "ratio": 1}).as_dict(),  # type: ignore[attr-defined]
                {"level": "low", "count": 1, "ratio": 1.0})


def test_make_model_fields_validate() -> None:
    alert = make_model("Alarm", SCHEMA, kind="made-alarm")

    with pytest.raises(ValidationError, match=r"^Alarm.count: 0 is below the minimum 1$"):
        alert(level="low", count=0)
    with pytest.raises(ValidationError, match=r"^Alarm.level: 'mid' is not one of 'low', 'high'$"):
        alert(level="mid", count=2)


def test_make_model_kind_defaults_to_the_lower_case_name() -> None:
    made = make_model("Heartbeat", {"seq": {"type": "int"}})

    assert MODELS["heartbeat"] is made


def test_make_model_leaves_the_schema_unchanged() -> None:
    schema = copy.deepcopy(SCHEMA)

    make_model("Ping", schema, kind="made-ping")

    assert_same(schema, SCHEMA)


@pytest.mark.parametrize("spec", [{"type": "bool"}, {"minimum": 1}])
def test_make_model_refuses_an_unknown_field_type(spec: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"^count: unknown field type "):
        make_model("Broken", {"count": spec}, kind=f"broken-{len(spec)}-{spec.get('type')}")
