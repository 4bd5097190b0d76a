"""Validated record models: field descriptors, a registry of model kinds, a class
decorator that writes ``__repr__`` and ``as_dict``, and models made at run time from a
schema.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, ClassVar, Self, TypeVar, overload

# Every Model subclass, by its kind: filled in by Model.__init_subclass__.
MODELS: dict[str, type[Model]] = {}

C = TypeVar("C", bound=type)


class ValidationError(ValueError):
    """A value that a field refuses. (Already complete.)

    ``field`` is ``"Reading.celsius"`` (the class that declares the field, a dot, its
    name) and ``str(err)`` is ``"Reading.celsius: 99.0 is above the maximum 60"``.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class Field:
    """A validated attribute: a data descriptor that checks every value assigned to it.

    The value lives in the instance's ``__dict__`` under the field's name. Subclasses
    override ``convert``; ``validate`` handles None and turns a ValueError from
    ``convert`` into a ValidationError.
    """

    def __init__(self, *, optional: bool = False) -> None:
        """Keep ``optional``; ``name`` and ``qualname`` are "" until ``__set_name__``."""
        raise NotImplementedError

    def __set_name__(self, owner: type, name: str) -> None:
        """Learn the attribute's ``name`` and the ``qualname`` ``"Owner.name"``."""
        raise NotImplementedError

    @overload
    def __get__(self, instance: None, owner: type) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type) -> Any: ...
    def __get__(self, instance: object, owner: type) -> Any:
        """On the class, the Field itself; on an instance, its value."""
        raise NotImplementedError

    def __set__(self, instance: object, value: object) -> None:
        """Store ``self.validate(value)``; a refused value leaves the old one."""
        raise NotImplementedError

    def validate(self, value: object) -> object:
        """Return ``value`` as the field keeps it, or raise ValidationError.

        None is kept by an optional field and ``is required`` for any other. Any other
        value goes through ``convert``, whose ValueError message becomes the reason.
        """
        raise NotImplementedError

    def convert(self, value: object) -> object:
        """Check a value that is not None; raise ValueError with the reason."""
        return value


class Integer(Field):
    """An ``int`` (not a ``bool``) within an optional range.

    Reasons: ``expected int, got str '3'``, ``-1 is below the minimum 0``,
    ``101 is above the maximum 100``.
    """

    def __init__(
        self, *, minimum: int | None = None, maximum: int | None = None, optional: bool = False
    ) -> None:
        raise NotImplementedError

    def convert(self, value: object) -> int:
        raise NotImplementedError


class Number(Field):
    """A ``float``, or an ``int`` kept as a float (not a ``bool``), within an optional range.

    Reasons: ``expected float, got str '3'``, ``-91.0 is below the minimum -90``.
    """

    def __init__(
        self,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        optional: bool = False,
    ) -> None:
        raise NotImplementedError

    def convert(self, value: object) -> float:
        raise NotImplementedError


class Text(Field):
    """A ``str`` with an optional length limit and an optional set of choices.

    Reasons: ``expected str, got int 5``, ``'thermometer-12' is longer than 12
    characters``, ``'mid' is not one of 'low', 'high'``.
    """

    def __init__(
        self,
        *,
        max_length: int | None = None,
        choices: Collection[str] | None = None,
        optional: bool = False,
    ) -> None:
        raise NotImplementedError

    def convert(self, value: object) -> str:
        raise NotImplementedError


def fields_of(cls: type) -> dict[str, Field]:
    """The fields of ``cls`` by name, in declaration order, those of its bases first.

    Walk ``reversed(cls.__mro__)`` and look in each class's own ``vars()``. A field
    declared again in a subclass keeps its place, with the subclass's definition.
    """
    raise NotImplementedError


def with_repr(cls: C) -> C:
    """Class decorator: give ``cls`` a ``__repr__`` and an ``as_dict`` from its fields.

    ``repr()`` is ``Reading(sensor='t-1', celsius=21.0, battery=None)`` (the instance's
    class name, every field in order, values with ``repr``), and ``as_dict()`` returns a
    new dict of the fields in order. Returns ``cls`` itself.
    """
    raise NotImplementedError


class Model:
    """The base of every model: keyword construction and a registry of kinds."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, *, kind: str | None = None, **kwargs: Any) -> None:
        """Register the new class in MODELS under ``kind`` and set ``cls.kind``.

        ``kind`` is the class keyword (``class Reading(Model, kind="reading")``), or the
        class name in lower case. A kind already taken raises TypeError, such as
        ``model kind 'reading' is already taken by Reading``. Pass other keywords on to
        ``super().__init_subclass__``.
        """
        raise NotImplementedError

    def __init__(self, **values: object) -> None:
        """Set every field, in order, from ``values`` (None when absent).

        A name that is no field raises TypeError (``Reading has no field 'celcius'``)
        before any field is set.
        """
        raise NotImplementedError


def load(data: Mapping[str, object]) -> Model:
    """Build the model that ``data["kind"]`` names from the rest of ``data``.

    ``data`` is not changed. A missing or unknown kind raises ValueError
    ``unknown model kind 'wind'``.
    """
    raise NotImplementedError


def make_model(
    name: str, schema: Mapping[str, Mapping[str, Any]], kind: str | None = None
) -> type[Model]:
    """Create a Model subclass called ``name`` at run time from ``schema``, with ``type()``.

    ``schema`` maps each field's name to its settings: ``"type"`` (``"int"``, ``"float"``
    or ``"str"``, for Integer, Number and Text) and the keyword arguments of that field
    class. Another type raises ValueError ``count: unknown field type 'bool'``. The
    class is registered under ``kind`` (passed to ``type()`` as a class keyword) and
    decorated with ``with_repr``. ``schema`` is not changed.
    """
    raise NotImplementedError
