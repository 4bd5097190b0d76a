"""Tests for dispatch.py: registering commands, dispatching with forwarded arguments, argument
checks against signatures, help in order and call counts kept in closures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pygrade_graders.compare import assert_same

from dispatch import (
    CommandArgumentsError,
    CommandError,
    Registry,
    UnknownCommandError,
    count_calls,
)


def deploy(service: str, version: str = "latest", *, env: str = "staging", dry_run: bool = False) -> str:
    """Deploy a service to an environment.

    Longer text that is not part of the help line.
    """
    return f"{'would deploy' if dry_run else 'deployed'} {service}:{version} to {env}"


def page(who: str, /, *reasons: str, **labels: str) -> tuple[str, tuple[str, ...], dict[str, str]]:
    """Page the on-call engineer."""
    return who, reasons, labels


def whoami() -> str:
    return "opsbot"


@pytest.fixture
def bot() -> Registry:
    registry = Registry()
    registry.register("deploy", deploy)
    registry.register("page", page)
    registry.register("whoami", whoami)
    return registry


# --- dispatch -------------------------------------------------------------------


@pytest.mark.weight(2)
def test_positional_and_keyword_arguments_are_forwarded(bot: Registry) -> None:
    assert_same(bot.dispatch("deploy", "web"), "deployed web:latest to staging")
    assert_same(bot.dispatch("deploy", "web", "1.4.2", env="prod"), "deployed web:1.4.2 to prod")
    assert_same(bot.dispatch("deploy", service="api", dry_run=True), "would deploy api:latest to staging")
    assert_same(bot.dispatch("whoami"), "opsbot")


@pytest.mark.weight(2)
def test_varargs_and_keywords_reach_a_handler_that_takes_them(bot: Registry) -> None:
    assert_same(bot.dispatch("page", "ada"), ("ada", (), {}))
    assert_same(
        bot.dispatch("page", "ada", "db down", "disk full", team="storage", severity="p1"),
        ("ada", ("db down", "disk full"), {"team": "storage", "severity": "p1"}),
    )


def test_a_keyword_called_name_goes_to_the_handler() -> None:
    registry = Registry()
    registry.register("greet", lambda name, greeting="hello": f"{greeting}, {name}")

    assert_same(registry.dispatch("greet", name="ada"), "hello, ada")
    assert_same(registry.dispatch("greet", "bob", greeting="hi"), "hi, bob")


def test_dispatch_returns_whatever_the_handler_returns() -> None:
    registry = Registry()
    registry.register("nothing", lambda: None)
    registry.register("numbers", lambda *values: sorted(values))

    assert_same(registry.dispatch("nothing"), None)
    assert_same(registry.dispatch("numbers", 3, 1, 2), [1, 2, 3])


@pytest.mark.weight(2)
def test_an_unknown_command_is_an_error_that_names_it(bot: Registry) -> None:
    with pytest.raises(UnknownCommandError) as caught:
        bot.dispatch("rollback", "web")

    assert isinstance(caught.value, CommandError)
    assert_same(caught.value.name, "rollback")
    assert "rollback" in str(caught.value)


@pytest.mark.weight(3)
@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("deploy", (), {}),  # service is missing
        ("deploy", ("web", "1.0", "prod"), {}),  # env is keyword-only
        ("deploy", ("web",), {"colour": "blue"}),  # no such parameter
        ("deploy", ("web",), {"service": "api"}),  # service given twice
        ("whoami", ("x",), {}),
        ("page", (), {"who": "ada"}),  # who is positional-only
        ("page", (), {}),
    ],
)
def test_arguments_that_do_not_fit_the_signature_are_refused_before_the_call(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    handlers: dict[str, Callable[..., object]] = {"deploy": deploy, "page": page, "whoami": whoami}
    registry = Registry()
    registry.register(name, handlers[name])

    with pytest.raises(CommandArgumentsError) as caught:
        registry.dispatch(name, *args, **kwargs)

    assert isinstance(caught.value, CommandError)
    assert_same(caught.value.name, name)
    assert str(caught.value).startswith(f"{name}: ")
    assert isinstance(caught.value.__cause__, TypeError)
    assert_same(str(caught.value), f"{name}: {caught.value.__cause__}")
    assert_same(registry.calls(name), 0)


def test_the_message_says_what_does_not_fit(bot: Registry) -> None:
    with pytest.raises(CommandArgumentsError) as caught:
        bot.dispatch("deploy")

    assert_same(str(caught.value), "deploy: missing a required argument: 'service'")


@pytest.mark.weight(2)
def test_a_type_error_raised_by_the_handler_itself_is_not_an_arguments_error() -> None:
    def broken(count: int) -> int:
        return count + "1"  # type: ignore[operator]

    registry = Registry()
    registry.register("broken", broken)

    with pytest.raises(TypeError) as caught:
        registry.dispatch("broken", 1)

    assert not isinstance(caught.value, CommandError)
    assert_same(registry.calls("broken"), 1)


def test_the_handler_is_called_once_per_dispatch() -> None:
    seen: list[int] = []
    registry = Registry()
    registry.register("note", seen.append)

    registry.dispatch("note", 7)
    registry.dispatch("note", 8)

    assert_same(seen, [7, 8])


# --- register and command -------------------------------------------------------


@pytest.mark.parametrize("name", ["deploy", "k8s-restart", "a", "db2"])
def test_valid_names(name: str) -> None:
    registry = Registry()
    registry.register(name, whoami)
    assert_same(registry.dispatch(name), "opsbot")


@pytest.mark.parametrize("name", ["", "Deploy", "9lives", "-x", "de ploy", "deploy_now", "déploy", "deploy!"])
def test_invalid_names_are_refused(name: str) -> None:
    registry = Registry()
    with pytest.raises(ValueError):
        registry.register(name, whoami)
    with pytest.raises(UnknownCommandError):
        registry.dispatch(name)


def test_a_name_can_be_registered_only_once(bot: Registry) -> None:
    with pytest.raises(ValueError):
        bot.register("deploy", whoami)

    assert_same(bot.dispatch("deploy", "web"), "deployed web:latest to staging")


def test_register_takes_the_name_and_handler_by_position_and_help_by_keyword() -> None:
    registry = Registry()
    with pytest.raises(TypeError):
        registry.register(name="x", handler=whoami)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        registry.register("x", whoami, "the help")  # type: ignore[call-arg]
    registry.register("x", whoami, help="the help")

    assert_same(registry.help_lines(), ["x: the help"])


@pytest.mark.weight(2)
def test_the_decorator_registers_under_the_function_name_and_returns_the_function() -> None:
    registry = Registry()

    @registry.command()
    def restart_service(service: str) -> str:
        """Restart a service."""
        return f"restarted {service}"

    @registry.command("ls", help="List services.")
    def list_services() -> list[str]:
        return ["api", "web"]

    assert_same(restart_service("db"), "restarted db")
    assert_same(list_services(), ["api", "web"])
    assert_same(registry.dispatch("restart-service", "web"), "restarted web")
    assert_same(registry.dispatch("ls"), ["api", "web"])
    assert_same(registry.help_lines(), ["ls: List services.", "restart-service: Restart a service."])


# --- help -----------------------------------------------------------------------


@pytest.mark.weight(2)
def test_help_is_sorted_by_name_and_uses_the_first_docstring_line(bot: Registry) -> None:
    bot.register("ack", lambda: None, help="Acknowledge an alert.")
    bot.register("cordon", lambda: None, help="")

    assert_same(
        bot.help_lines(),
        [
            "ack: Acknowledge an alert.",
            "cordon",
            "deploy: Deploy a service to an environment.",
            "page: Page the on-call engineer.",
            "whoami",
        ],
    )


def test_help_given_wins_over_the_docstring_even_when_empty() -> None:
    registry = Registry()
    registry.register("deploy", deploy, help="Ship it.")
    registry.register("page", page, help="")

    assert_same(registry.help_lines(), ["deploy: Ship it.", "page"])


@pytest.mark.weight(2)
def test_help_by_calls_puts_the_most_called_first_and_ties_by_name(bot: Registry) -> None:
    bot.register("zap", lambda: None)
    bot.register("ack", lambda: None, help="Acknowledge an alert.")
    for _ in range(3):
        bot.dispatch("whoami")
    bot.dispatch("page", "ada")
    bot.dispatch("deploy", "web")

    assert_same(
        bot.help_lines(by_calls=True),
        [
            "whoami",
            "deploy: Deploy a service to an environment.",
            "page: Page the on-call engineer.",
            "ack: Acknowledge an alert.",
            "zap",
        ],
    )
    assert_same(bot.help_lines()[0], "ack: Acknowledge an alert.")


def test_help_of_an_empty_registry() -> None:
    assert_same(Registry().help_lines(), [])
    assert_same(Registry().help_lines(by_calls=True), [])


# --- counting -------------------------------------------------------------------


@pytest.mark.weight(2)
def test_calls_are_counted_per_command(bot: Registry) -> None:
    bot.dispatch("whoami")
    bot.dispatch("whoami")
    bot.dispatch("deploy", "web")

    assert_same(bot.calls("whoami"), 2)
    assert_same(bot.calls("deploy"), 1)
    assert_same(bot.calls("page"), 0)


def test_calls_of_an_unknown_command_is_an_error(bot: Registry) -> None:
    with pytest.raises(UnknownCommandError):
        bot.calls("rollback")


def test_two_registries_count_apart() -> None:
    first, second = Registry(), Registry()
    first.register("whoami", whoami)
    second.register("whoami", whoami)

    first.dispatch("whoami")

    assert_same((first.calls("whoami"), second.calls("whoami")), (1, 0))


@pytest.mark.weight(2)
def test_count_calls_forwards_and_counts() -> None:
    def add(a: int, b: int = 10, *, scale: int = 1) -> int:
        return (a + b) * scale

    counted, count = count_calls(add)

    assert_same(count(), 0)
    assert_same(counted(1), 11)
    assert_same(counted(1, 2, scale=3), 9)
    assert_same(counted(a=5, b=5), 10)
    assert_same(count(), 3)


def test_each_counter_counts_on_its_own_and_a_raising_call_counts() -> None:
    def fail() -> None:
        raise RuntimeError("down")

    counted_fail, fail_count = count_calls(fail)
    counted_who, who_count = count_calls(whoami)

    with pytest.raises(RuntimeError):
        counted_fail()
    counted_who()
    counted_who()

    assert_same((fail_count(), who_count()), (1, 2))


def test_the_decorator_returns_the_very_function_and_direct_calls_are_not_counted() -> None:
    registry = Registry()

    def drain(node: str) -> str:
        return f"draining {node}"

    decorated = registry.command("drain")(drain)

    assert decorated is drain
    assert_same(decorated("n1"), "draining n1")
    assert_same(registry.calls("drain"), 0)
    registry.dispatch("drain", "n2")
    assert_same(registry.calls("drain"), 1)
