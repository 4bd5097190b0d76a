"""Decorators, closures and small functional tools.

``P`` (a ParamSpec) stands for "whatever parameters the decorated function
has" and ``R`` for its return type, so decorated functions keep their exact
signature for the type checker.
"""

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
    once. The wrapper keeps the wrapped function's name and docstring (use
    ``functools.wraps``). Raises ValueError if ``times`` is less than 1, as
    soon as ``retry(...)`` is called.

        @retry(3, (ConnectionError,))
        def fetch(url: str) -> bytes: ...
    """
    raise NotImplementedError


class CountedFunction(Generic[P, R]):
    """A callable wrapper that counts how many times it has been called.

    ``calls`` starts at 0 and goes up by one on every call, including calls
    that raise. Calling the wrapper calls the wrapped function with the same
    arguments and returns its result. Copy the wrapped function's name and
    docstring onto the wrapper with ``functools.update_wrapper``.
    """

    calls: int

    def __init__(self, fn: Callable[P, R]) -> None:
        raise NotImplementedError

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        raise NotImplementedError


def call_counter(fn: Callable[P, R]) -> CountedFunction[P, R]:
    """Decorate ``fn`` so that ``fn.calls`` counts every call, even failing ones.

        @call_counter
        def greet(name: str) -> str: ...

        greet("Ada"); greet.calls  # 1
    """
    raise NotImplementedError


def compose(*fns: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Compose single-argument functions right to left.

    ``compose(f, g, h)(x) == f(g(h(x)))``; ``compose()`` is the identity
    function. Try ``functools.reduce``.
    """
    raise NotImplementedError


def make_accumulator(start: int) -> Callable[[int], int]:
    """Return a function that adds its argument to a running total and returns it.

        add = make_accumulator(10)
        add(5)  # 15
        add(1)  # 16

    The total starts at ``start`` and lives in a closure (an inner function
    that rebinds it with ``nonlocal``), not in a global or a class.
    """
    raise NotImplementedError
