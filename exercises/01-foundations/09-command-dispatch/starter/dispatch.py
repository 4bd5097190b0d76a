"""The command registry of an ops chat bot: handlers registered by name, called with the
arguments of a chat command, checked against the handler's signature first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])


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
    """A function that calls ``func`` with the arguments it is given and counts its calls, and
    a function that reads the count. A call counts when ``func`` is called, even if it raises.
    """
    raise NotImplementedError


class Registry:
    """Commands by name: each a handler, its help line and its call count."""

    def __init__(self) -> None:
        pass

    def register(
        self, name: str, handler: Callable[..., object], /, *, help: str | None = None
    ) -> None:
        """Register ``handler`` as the command ``name``.

        ``name`` is a lower-case letter, then lower-case letters, digits and ``-``; another
        name, or one already registered, raises ValueError. The help is ``help``, or else the
        first line of the handler's docstring, or else empty.
        """
        raise NotImplementedError

    def command(self, name: str | None = None, /, *, help: str | None = None) -> Callable[[F], F]:
        """A decorator that registers the function it decorates, by default under its own name
        with ``_`` written ``-``, and returns the function itself."""
        raise NotImplementedError

    def dispatch(self, name: str, /, *args: Any, **kwargs: Any) -> object:
        """Call the command ``name`` with ``args`` and ``kwargs`` and return what it returns.

        An unknown name raises UnknownCommandError; arguments that do not fit the handler's
        signature raise CommandArgumentsError, and the handler is then not called.
        """
        raise NotImplementedError

    def calls(self, name: str) -> int:
        """How many times the command ``name`` was called (UnknownCommandError if none)."""
        raise NotImplementedError

    def help_lines(self, *, by_calls: bool = False) -> list[str]:
        """``name: help`` (or ``name`` alone, without help) for every command, sorted by name;
        with ``by_calls``, the most called first, ties by name."""
        raise NotImplementedError
