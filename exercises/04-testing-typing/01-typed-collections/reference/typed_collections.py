"""Small collection helpers with precise, generic type hints."""

import functools
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, Protocol, TypedDict, TypeVar

T = TypeVar("T")
D = TypeVar("D")
K = TypeVar("K")
R = TypeVar("R")
P = ParamSpec("P")


def first(items: Iterable[T], default: D) -> T | D:
    """Return the first item of ``items``, or ``default`` if there is none.

    Consumes at most one item, so it is safe to call on an endless iterator.
    """
    for item in items:
        return item
    return default


def group_by(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    """Group ``items`` by ``key(item)``, keeping the input order inside each group."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


class SupportsLessThan(Protocol):
    """Anything that can be compared with ``<``: numbers, strings, tuples, ..."""

    def __lt__(self, other: Any, /) -> bool: ...


def max_by(items: Iterable[T], key: Callable[[T], SupportsLessThan]) -> T:
    """Return the item with the largest ``key(item)``; the first one wins a tie.

    Raises ValueError if ``items`` is empty.
    """
    iterator = iter(items)
    try:
        best = next(iterator)
    except StopIteration:
        raise ValueError("max_by() arg is an empty iterable") from None
    best_key = key(best)
    for item in iterator:
        item_key = key(item)
        if best_key < item_key:
            best, best_key = item, item_key
    return best


def logged(log: list[str]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator factory: append the function's name to ``log`` on every call.

    The decorated function keeps its name, docstring and exact signature.
    """

    def decorator(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            log.append(fn.__name__)
            return fn(*args, **kwargs)

        return wrapper

    return decorator


class User(TypedDict):
    """A user record as it comes out of ``parse_user``."""

    id: int
    name: str
    active: bool
    tags: list[str]


def _field(data: dict[str, object], name: str, expected: type[T]) -> T:
    """Return ``data[name]``, checking that it is an instance of ``expected``."""
    value = data[name]  # a missing field raises KeyError(name)
    # bool is a subclass of int, but True is not a sensible user id.
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise TypeError(
            f"field {name!r} must be {expected.__name__}, not {type(value).__name__}"
        )
    return value


def parse_user(data: dict[str, object]) -> User:
    """Build a ``User`` from untrusted data (for example decoded JSON).

    Only the four declared fields are copied; extra keys are ignored.
    Raises KeyError if a field is missing and TypeError if it has the wrong type.
    """
    user_id = _field(data, "id", int)
    name = _field(data, "name", str)
    active = _field(data, "active", bool)
    raw_tags = _field(data, "tags", list)
    tags: list[str] = []
    for tag in raw_tags:
        if not isinstance(tag, str):
            raise TypeError(f"field 'tags' must contain only str, not {type(tag).__name__}")
        tags.append(tag)
    return User(id=user_id, name=name, active=active, tags=tags)
