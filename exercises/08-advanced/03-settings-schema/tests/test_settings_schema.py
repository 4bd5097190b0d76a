"""Tests for settings.py, through its interface: the schemas are the tests' own subclasses.

`assert_type` does nothing at run time; under mypy it checks that a field reads as its type.
"""

from __future__ import annotations

from typing import Any, ClassVar, assert_type

import pytest
from pygrade_graders.compare import assert_same

from settings import Field, Settings, SettingsError

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ServiceSettings(Settings, env_prefix="APP_"):
    host = Field(str, default="localhost")
    port = Field(int, default=8080, minimum=1, maximum=65535)
    debug = Field(bool, default=False)
    log_level = Field(str, default="INFO", choices=LEVELS)
    database_url = Field(str)
    timeout = Field(float, default=2.5, minimum=0.1, maximum=60.0)

    VERSION = "1.4"  # a plain class attribute, not a setting

    def address(self) -> str:
        return f"{self.host}:{self.port}"


class WorkerSettings(ServiceSettings):
    concurrency = Field(int, default=4, minimum=1, maximum=64)
    port = Field(int, default=9090, minimum=1024, maximum=65535)  # redefined: keeps its place


SERVICE_FIELDS = ["host", "port", "debug", "log_level", "database_url", "timeout"]
DB = "postgres://db.internal/orders"


def service(**values: object) -> ServiceSettings:
    return ServiceSettings(**{"database_url": DB, **values})


# --- the fields -----------------------------------------------------------------------------


def test_a_field_read_on_the_class_is_the_field_itself_and_knows_its_name() -> None:
    port = ServiceSettings.port

    assert_type(port, Field[int])
    assert isinstance(port, Field)
    assert_same((port.name, port.kind, port.default, port.required), ("port", int, 8080, False))
    assert_same((ServiceSettings.database_url.name, ServiceSettings.database_url.required), ("database_url", True))
    assert_same(ServiceSettings.timeout.name, "timeout")


def test_the_fields_of_a_class_in_declaration_order() -> None:
    fields = ServiceSettings.fields()

    assert_same(list(fields), SERVICE_FIELDS)
    assert fields["log_level"] is ServiceSettings.log_level


def test_a_subclass_has_its_bases_fields_first_and_a_redefined_field_keeps_its_place() -> None:
    fields = WorkerSettings.fields()

    assert_same(list(fields), [*SERVICE_FIELDS, "concurrency"])
    assert fields["port"] is WorkerSettings.port
    assert_same(fields["port"].default, 9090)
    assert_same(ServiceSettings.fields()["port"].default, 8080, "the base class keeps its own field")
    assert_same(list(ServiceSettings.fields()), SERVICE_FIELDS)


def test_fields_with_several_bases_follow_the_reverse_mro_as_dataclasses_do() -> None:
    class Database(Settings):
        url = Field(str, default="sqlite://")
        pool = Field(int, default=5)

    class Cache(Settings):
        ttl = Field(float, default=30.0)

    class Combined(Database, Cache):
        name = Field(str, default="orders")

    assert_same(list(Combined.fields()), ["ttl", "url", "pool", "name"])
    assert_same(repr(Combined()), "Combined(ttl=30.0, url='sqlite://', pool=5, name='orders')")


def test_fields_returns_a_copy() -> None:
    ServiceSettings.fields().clear()

    assert_same(list(ServiceSettings.fields()), SERVICE_FIELDS)


def test_a_class_without_fields_has_none() -> None:
    class Empty(Settings):
        LIMIT = 3

    assert_same(Empty.fields(), {})
    assert_same(repr(Empty()), "Empty()")


@pytest.mark.weight(2)
def test_defaults_are_checked_when_the_class_is_defined() -> None:
    with pytest.raises(SettingsError) as caught:

        class Broken(Settings):
            name = Field(str, default="ok")
            port = Field(int, default=0, minimum=1)

    assert_same((caught.value.field, str(caught.value)), ("port", "port: 0 is below the minimum 1"))

    three: Any = "3"
    with pytest.raises(SettingsError) as caught:

        class AlsoBroken(ServiceSettings):
            retries = Field(int, default=three)

    assert_same(str(caught.value), "retries: expected int, got str '3'")


@pytest.mark.parametrize("kind", [list, dict, bytes, object])
def test_a_field_holds_a_bool_int_float_or_str(kind: Any) -> None:
    with pytest.raises(TypeError):
        Field(kind)


# --- creating settings ----------------------------------------------------------------------


@pytest.mark.weight(2)
def test_settings_take_their_values_or_their_defaults() -> None:
    settings = service(port=9000, debug=True)

    assert_type(settings.port, int)
    assert_type(settings.debug, bool)
    assert_same(
        (settings.host, settings.port, settings.debug, settings.log_level, settings.database_url, settings.timeout),
        ("localhost", 9000, True, "INFO", DB, 2.5),
    )
    assert_same(settings.address(), "localhost:9000")
    assert_same(settings.VERSION, "1.4")


def test_a_float_field_takes_an_int_as_a_float() -> None:
    assert_same(service(timeout=3).timeout, 3.0)


def test_the_limits_themselves_are_allowed() -> None:
    low = service(port=1, timeout=0.1)
    high = service(port=65535, timeout=60.0, log_level="ERROR")

    assert_same((low.port, low.timeout, high.port, high.timeout, high.log_level), (1, 0.1, 65535, 60.0, "ERROR"))


INVALID = [
    pytest.param({"port": "8080"}, "port", "expected int, got str '8080'", id="str-for-int"),
    pytest.param({"port": True}, "port", "expected int, got bool True", id="bool-for-int"),
    pytest.param({"port": 80.0}, "port", "expected int, got float 80.0", id="float-for-int"),
    pytest.param({"port": 0}, "port", "0 is below the minimum 1", id="below"),
    pytest.param({"port": 65536}, "port", "65536 is above the maximum 65535", id="above"),
    pytest.param({"debug": 1}, "debug", "expected bool, got int 1", id="int-for-bool"),
    pytest.param({"debug": "true"}, "debug", "expected bool, got str 'true'", id="str-for-bool"),
    pytest.param({"timeout": "2"}, "timeout", "expected float, got str '2'", id="str-for-float"),
    pytest.param({"timeout": False}, "timeout", "expected float, got bool False", id="bool-for-float"),
    pytest.param({"timeout": 0.05}, "timeout", "0.05 is below the minimum 0.1", id="float-below"),
    pytest.param({"timeout": 61}, "timeout", "61.0 is above the maximum 60.0", id="int-above"),
    pytest.param({"host": None}, "host", "expected str, got NoneType None", id="none"),
    pytest.param(
        {"log_level": "LOUD"}, "log_level", "'LOUD' is not one of 'DEBUG', 'INFO', 'WARNING', 'ERROR'", id="choice"
    ),
    pytest.param({"prot": 80}, "prot", "unknown setting", id="unknown"),
]


@pytest.mark.parametrize(("values", "field", "reason"), INVALID)
def test_an_invalid_value_is_refused_naming_its_field(values: dict[str, object], field: str, reason: str) -> None:
    with pytest.raises(SettingsError) as caught:
        service(**values)

    error = caught.value
    assert_same((error.field, error.reason, str(error)), (field, reason, f"{field}: {reason}"))
    assert isinstance(error, ValueError)


def test_a_missing_required_setting_is_named() -> None:
    with pytest.raises(SettingsError) as caught:
        ServiceSettings(port=9000)

    assert_same(str(caught.value), "database_url: required")


def test_an_unknown_setting_is_reported_before_the_others_are_checked() -> None:
    with pytest.raises(SettingsError) as caught:
        ServiceSettings(port="bad", colour="blue")

    assert_same(caught.value.field, "colour")


def test_the_first_invalid_field_in_declaration_order_is_reported() -> None:
    with pytest.raises(SettingsError) as caught:
        ServiceSettings(timeout=-1.0, debug="yes", database_url=DB)

    assert_same(caught.value.field, "debug")


# --- assigning ------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_every_assignment_is_validated() -> None:
    settings = service()
    no: Any = "no"

    settings.port = 9443
    with pytest.raises(SettingsError) as caught:
        settings.port = 70000
    with pytest.raises(SettingsError):
        settings.log_level = "info"
    with pytest.raises(SettingsError):
        settings.debug = no

    assert_same(str(caught.value), "port: 70000 is above the maximum 65535")
    assert_same((settings.port, settings.log_level, settings.debug), (9443, "INFO", False))


def test_each_instance_keeps_its_own_values() -> None:
    first, second = service(), service(host="db.internal")

    first.port = 1234
    worker = WorkerSettings(database_url=DB)

    assert_same((first.port, first.host), (1234, "localhost"))
    assert_same((second.port, second.host), (8080, "db.internal"))
    assert_same((worker.port, worker.concurrency), (9090, 4))


def test_a_redefined_field_applies_its_own_limits() -> None:
    with pytest.raises(SettingsError) as caught:
        WorkerSettings(database_url=DB, port=80)

    assert_same(str(caught.value), "port: 80 is below the minimum 1024")
    assert_same(service(port=80).port, 80)


# --- what the fields give every class -------------------------------------------------------


def test_repr_shows_every_field_in_order() -> None:
    assert_same(
        repr(service(debug=True)),
        "ServiceSettings(host='localhost', port=8080, debug=True, log_level='INFO', "
        "database_url='postgres://db.internal/orders', timeout=2.5)",
    )
    assert repr(WorkerSettings(database_url="x")).startswith("WorkerSettings(host='localhost', port=9090, ")
    assert repr(WorkerSettings(database_url="x")).endswith(", timeout=2.5, concurrency=4)")


def test_as_dict_gives_the_values_in_field_order() -> None:
    values = service(port=1, host="h").as_dict()

    assert_same(values, {"host": "h", "port": 1, "debug": False, "log_level": "INFO", "database_url": DB, "timeout": 2.5})
    assert_same(list(values), SERVICE_FIELDS)


def test_settings_are_equal_when_their_class_and_values_are() -> None:
    class Left(Settings):
        size = Field(int, default=1)

    class Right(Settings):
        size = Field(int, default=1)

    assert service() == service()
    assert service() != service(port=1)
    assert Left() == Left() and Left() != Left(size=2)
    assert Left() != Right()
    assert_same(service() == "ServiceSettings", False)  # __eq__ leaves other types to Python
    assert service() != "ServiceSettings"
    with pytest.raises(TypeError):
        hash(service())  # mutable settings are not hashable


# --- loading --------------------------------------------------------------------------------


def test_from_mapping_loads_a_parsed_config_file() -> None:
    loaded = ServiceSettings.from_mapping({"database_url": DB, "port": 9000, "debug": True})

    assert isinstance(loaded, ServiceSettings)
    assert_same(loaded, service(port=9000, debug=True))
    with pytest.raises(SettingsError) as caught:
        ServiceSettings.from_mapping({"database_url": DB, "debg": True})
    assert_same(str(caught.value), "debg: unknown setting")


def test_from_mapping_makes_an_instance_of_the_subclass_it_is_called_on() -> None:
    worker = WorkerSettings.from_mapping({"database_url": DB, "concurrency": 8})

    assert_type(worker, WorkerSettings)
    assert_same((type(worker).__name__, worker.concurrency, worker.port), ("WorkerSettings", 8, 9090))


@pytest.mark.weight(2)
def test_from_env_reads_the_prefixed_upper_case_names_and_ignores_the_rest() -> None:
    env = {
        "APP_HOST": "0.0.0.0",
        "APP_PORT": "9000",
        "APP_DEBUG": "yes",
        "APP_DATABASE_URL": DB,
        "APP_TIMEOUT": "0.5",
        "APP_UNRELATED": "1",
        "PORT": "1",
        "app_log_level": "DEBUG",
        "PATH": "/usr/bin",
    }

    loaded = ServiceSettings.from_env(env)

    assert_same(
        loaded.as_dict(),
        {"host": "0.0.0.0", "port": 9000, "debug": True, "log_level": "INFO", "database_url": DB, "timeout": 0.5},
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("1", True), ("yes", True), ("On", True), (" TRUE ", True),
     ("false", False), ("0", False), ("no", False), ("OFF", False)],
)
def test_from_env_reads_a_bool_in_the_usual_spellings(text: str, value: bool) -> None:
    loaded = ServiceSettings.from_env({"APP_DATABASE_URL": DB, "APP_DEBUG": text})

    assert_same(loaded.debug, value)


ENV_ERRORS = [
    pytest.param({"APP_DEBUG": "maybe"}, "debug: cannot read APP_DEBUG='maybe' as bool", id="bool"),
    pytest.param({"APP_DEBUG": ""}, "debug: cannot read APP_DEBUG='' as bool", id="empty-bool"),
    pytest.param({"APP_PORT": "eighty"}, "port: cannot read APP_PORT='eighty' as int", id="int"),
    pytest.param({"APP_PORT": "80.5"}, "port: cannot read APP_PORT='80.5' as int", id="fraction"),
    pytest.param({"APP_TIMEOUT": "soon"}, "timeout: cannot read APP_TIMEOUT='soon' as float", id="float"),
    pytest.param({"APP_PORT": "70000"}, "port: 70000 is above the maximum 65535", id="range"),
    pytest.param({"APP_LOG_LEVEL": "debug"}, "log_level: 'debug' is not one of 'DEBUG', 'INFO', 'WARNING', 'ERROR'", id="choice"),
]


@pytest.mark.parametrize(("env", "message"), ENV_ERRORS)
def test_from_env_names_the_field_and_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        ServiceSettings.from_env({"APP_DATABASE_URL": DB, **env})

    assert_same(str(caught.value), message)


def test_from_env_still_requires_what_has_no_default() -> None:
    with pytest.raises(SettingsError) as caught:
        ServiceSettings.from_env({"APP_PORT": "9000"})

    assert_same(str(caught.value), "database_url: required")


class Tagged:
    """A mixin with a class keyword of its own."""

    tag: ClassVar[str] = ""

    def __init_subclass__(cls, *, tag: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.tag = tag


def test_other_class_keywords_go_on_to_the_next_class_in_the_mro() -> None:
    class Billing(Settings, Tagged, env_prefix="BILLING_", tag="payments"):
        currency = Field(str, default="EUR")

    assert_same((Billing.tag, Billing.env_prefix), ("payments", "BILLING_"))
    assert_same(Billing.from_env({"BILLING_CURRENCY": "GBP"}).currency, "GBP")


def test_the_env_prefix_is_inherited_and_can_be_changed() -> None:
    class Standalone(Settings):
        region = Field(str, default="eu-west-1")
        replicas = Field(int, default=1)

    class Scheduler(WorkerSettings, env_prefix="SCHED_"):
        interval = Field(float, default=60.0)

    env = {"APP_DATABASE_URL": DB, "APP_CONCURRENCY": "16", "SCHED_DATABASE_URL": "sched-db",
           "SCHED_INTERVAL": "5", "REGION": "us-east-2", "REPLICAS": "3"}

    worker = WorkerSettings.from_env(env)
    scheduler = Scheduler.from_env(env)
    standalone = Standalone.from_env(env)

    assert_same((worker.database_url, worker.concurrency), (DB, 16))
    assert_same((scheduler.database_url, scheduler.concurrency, scheduler.interval), ("sched-db", 4, 5.0))
    assert_same((standalone.region, standalone.replicas), ("us-east-2", 3))
    assert_same(ServiceSettings.from_env(env).port, 8080)
