"""Small collection helpers -- working code, but without useful type hints.

Your job: give every function a precise, generic signature so that
``mypy --strict typed_collections.py`` passes, and finish the parts marked TODO.
See README.md for the exact signatures to aim for.
"""

from typing import Any

# TODO: declare the type variables you need here, for example
#   T = TypeVar("T")    and    P = ParamSpec("P")


def first(items, default):
    """Return the first item of ``items``, or ``default`` if there is none.

    Consumes at most one item, so it is safe to call on an endless iterator.
    TODO: the return type is "an item or the default", whatever their types are.
    """
    for item in items:
        return item
    return default


def group_by(items, key):
    """Group ``items`` by ``key(item)``, keeping the input order inside each group.

    TODO: the result's keys have the type that ``key`` returns.
    """
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


class SupportsLessThan:
    """Anything that can be compared with ``<``: numbers, strings, tuples, ...

    TODO: make this a ``typing.Protocol`` so that int, str and your own classes
    match it without inheriting from it.
    """

    def __lt__(self, other):
        raise NotImplementedError


def max_by(items, key):
    """Return the item with the largest ``key(item)``; the first one wins a tie.

    Raises ValueError if ``items`` is empty.
    TODO: ``key`` may return anything that supports ``<`` (see SupportsLessThan).
    """
    return max(items, key=key)


def logged(log):
    """Decorator factory: append the function's name to ``log`` on every call.

    TODO: the decorated function must keep its name, docstring and exact
    signature (use functools.wraps and a ParamSpec).
    """

    def decorator(fn):
        def wrapper(*args, **kwargs):
            log.append(fn.__name__)
            return fn(*args, **kwargs)

        return wrapper

    return decorator


# TODO: replace this alias with a TypedDict with the fields
#   id: int, name: str, active: bool, tags: list[str]
User = dict[str, Any]


def parse_user(data: dict[str, Any]) -> User:
    """Build a ``User`` from untrusted data (for example decoded JSON).

    Only the four declared fields are copied; extra keys are ignored.
    Raises KeyError if a field is missing and TypeError if it has the wrong type.
    TODO: nothing is validated yet.
    """
    return dict(data)
