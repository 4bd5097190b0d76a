"""Decorators, closures and small functional tools."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def retry(
    times: int, exceptions: tuple[type[BaseException], ...]
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Return a decorator that calls the function up to ``times`` times in total.

    A call that raises one of ``exceptions`` is tried again; once all attempts
    have failed, the last error is re-raised. Any other exception propagates at
    once. The wrapper keeps the wrapped function's name and docstring.
    Raises ValueError if ``times`` is less than 1.
    """
    if times < 1:
        raise ValueError(f"times must be at least 1, got {times}")

    def decorator(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            for _ in range(times - 1):
                try:
                    return fn(*args, **kwargs)
                except exceptions:
                    pass  # try again
            return fn(*args, **kwargs)  # last attempt: its error propagates

        return wrapper

    return decorator


class CountedFunction(Generic[P, R]):
    """A callable wrapper that counts how many times it has been called."""

    calls: int

    def __init__(self, fn: Callable[P, R]) -> None:
        functools.update_wrapper(self, fn)
        self._fn = fn
        self.calls = 0

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        self.calls += 1
        return self._fn(*args, **kwargs)


def call_counter(fn: Callable[P, R]) -> CountedFunction[P, R]:
    """Decorate ``fn`` so that ``fn.calls`` counts every call, even failing ones."""
    return CountedFunction(fn)


def compose(*fns: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Compose single-argument functions right to left.

    ``compose(f, g, h)(x) == f(g(h(x)))``; ``compose()`` is the identity.
    """

    def compose_two(
        outer: Callable[[Any], Any], inner: Callable[[Any], Any]
    ) -> Callable[[Any], Any]:
        return lambda x: outer(inner(x))

    return functools.reduce(compose_two, fns, lambda x: x)


def make_accumulator(start: int) -> Callable[[int], int]:
    """Return a function that adds its argument to a running total and returns it.

    The total starts at ``start`` and lives in a closure, not in a global.
    """
    total = start

    def add(amount: int) -> int:
        nonlocal total
        total += amount
        return total

    return add
