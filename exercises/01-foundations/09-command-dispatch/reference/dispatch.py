"""The command registry of an ops chat bot: handlers registered by name, called with the
arguments of a chat command, checked against the handler's signature first."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])

NAME = re.compile(r"[a-z][a-z0-9-]*")


class CommandError(Exception):
    """A chat command that cannot run."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class UnknownCommandError(CommandError):
    """No command has that name."""


class CommandArgumentsError(CommandError):
    """The arguments do not fit the command's handler."""


def count_calls(func: Callable[P, R]) -> tuple[Callable[P, R], Callable[[], int]]:
    """A function that calls ``func`` and counts its calls, and a function that reads the count.

    A call counts when ``func`` is called, even if it raises."""
    calls = 0

    def counted(*args: P.args, **kwargs: P.kwargs) -> R:
        nonlocal calls
        calls += 1
        return func(*args, **kwargs)

    def count() -> int:
        return calls

    return counted, count


class Registry:
    """Commands by name: each a handler, its help line and its call count."""

    def __init__(self) -> None:
        self._handlers: dict[str, Callable[..., object]] = {}
        self._counted: dict[str, Callable[..., object]] = {}
        self._counts: dict[str, Callable[[], int]] = {}
        self._help: dict[str, str] = {}

    def register(
        self, name: str, handler: Callable[..., object], /, *, help: str | None = None
    ) -> None:
        """Register ``handler`` as the command ``name``; its help is ``help`` or else the first
        line of its docstring."""
        if not NAME.fullmatch(name):
            raise ValueError(f"invalid command name {name!r}")
        if name in self._handlers:
            raise ValueError(f"command {name!r} is already registered")
        if help is None:
            doc = inspect.getdoc(handler) or ""
            help = doc.splitlines()[0] if doc else ""
        self._handlers[name] = handler
        self._counted[name], self._counts[name] = count_calls(handler)
        self._help[name] = help

    def command(self, name: str | None = None, /, *, help: str | None = None) -> Callable[[F], F]:
        """A decorator that registers the function it decorates, by default under its own name
        with ``_`` written ``-``, and returns it unchanged."""

        def decorate(func: F) -> F:
            self.register(name or func.__name__.replace("_", "-"), func, help=help)
            return func

        return decorate

    def dispatch(self, name: str, /, *args: Any, **kwargs: Any) -> object:
        """Call the command ``name`` with the arguments, once they fit its signature."""
        self._check(name)
        try:
            inspect.signature(self._handlers[name]).bind(*args, **kwargs)
        except TypeError as error:
            raise CommandArgumentsError(name, f"{name}: {error}") from error
        return self._counted[name](*args, **kwargs)

    def calls(self, name: str) -> int:
        """How many times the command ``name`` was called."""
        self._check(name)
        return self._counts[name]()

    def help_lines(self, *, by_calls: bool = False) -> list[str]:
        """``name: help`` for every command, by name, or most called first (then by name)."""
        if by_calls:
            names = sorted(self._handlers, key=lambda name: (-self._counts[name](), name))
        else:
            names = sorted(self._handlers)
        return [f"{name}: {self._help[name]}" if self._help[name] else name for name in names]

    def _check(self, name: str) -> None:
        if name not in self._handlers:
            raise UnknownCommandError(name, f"unknown command {name!r}")
