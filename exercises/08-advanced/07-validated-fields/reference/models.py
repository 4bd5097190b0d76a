"""Validated record models: field descriptors, a registry of model kinds, a class
decorator that writes ``__repr__`` and ``as_dict``, and models made at run time from a
schema.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, ClassVar, Self, TypeVar, overload

MODELS: dict[str, type[Model]] = {}

C = TypeVar("C", bound=type)


class ValidationError(ValueError):
    """A value that a field refuses; ``str()`` is ``Reading.celsius: <reason>``."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class Field:
    """A validated attribute: a data descriptor that checks every value assigned to it."""

    def __init__(self, *, optional: bool = False) -> None:
        self.optional = optional
        self.name = ""
        self.qualname = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.qualname = f"{owner.__name__}.{name}"

    @overload
    def __get__(self, instance: None, owner: type) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type) -> Any: ...
    def __get__(self, instance: object, owner: type) -> Any:
        if instance is None:
            return self
        return instance.__dict__[self.name]

    def __set__(self, instance: object, value: object) -> None:
        instance.__dict__[self.name] = self.validate(value)

    def validate(self, value: object) -> object:
        """Return ``value`` as the field keeps it, or raise ValidationError."""
        if value is None:
            if self.optional:
                return None
            raise ValidationError(self.qualname, "is required")
        try:
            return self.convert(value)
        except ValueError as err:
            raise ValidationError(self.qualname, str(err)) from None

    def convert(self, value: object) -> object:
        """Check a value that is not None; raise ValueError with the reason."""
        return value


def _expected(type_name: str, value: object) -> ValueError:
    return ValueError(f"expected {type_name}, got {type(value).__name__} {value!r}")


def _check_range(value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise ValueError(f"{value!r} is below the minimum {minimum!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{value!r} is above the maximum {maximum!r}")


class Integer(Field):
    """An ``int`` (not a ``bool``) within an optional range."""

    def __init__(
        self, *, minimum: int | None = None, maximum: int | None = None, optional: bool = False
    ) -> None:
        super().__init__(optional=optional)
        self.minimum = minimum
        self.maximum = maximum

    def convert(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _expected("int", value)
        _check_range(value, self.minimum, self.maximum)
        return value


class Number(Field):
    """A ``float``, or an ``int`` kept as a float, within an optional range."""

    def __init__(
        self,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        optional: bool = False,
    ) -> None:
        super().__init__(optional=optional)
        self.minimum = minimum
        self.maximum = maximum

    def convert(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _expected("float", value)
        number = float(value)
        _check_range(number, self.minimum, self.maximum)
        return number


class Text(Field):
    """A ``str`` with a length limit and, optionally, a fixed set of choices."""

    def __init__(
        self,
        *,
        max_length: int | None = None,
        choices: Collection[str] | None = None,
        optional: bool = False,
    ) -> None:
        super().__init__(optional=optional)
        self.max_length = max_length
        self.choices = choices

    def convert(self, value: object) -> str:
        if not isinstance(value, str):
            raise _expected("str", value)
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(f"{value!r} is longer than {self.max_length} characters")
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{value!r} is not one of {', '.join(map(repr, self.choices))}")
        return value


def fields_of(cls: type) -> dict[str, Field]:
    """The fields of ``cls`` by name, in declaration order, those of its bases first."""
    found: dict[str, Field] = {}
    for klass in reversed(cls.__mro__):
        for name, attribute in vars(klass).items():
            if isinstance(attribute, Field):
                found[name] = attribute
    return found


def with_repr(cls: C) -> C:
    """Class decorator: give ``cls`` a ``__repr__`` and an ``as_dict`` from its fields."""
    names = tuple(fields_of(cls))

    def __repr__(self: object) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__name__}({shown})"

    def as_dict(self: object) -> dict[str, object]:
        return {name: getattr(self, name) for name in names}

    setattr(cls, "__repr__", __repr__)
    setattr(cls, "as_dict", as_dict)
    return cls


class Model:
    """The base of every model: keyword construction and a registry of kinds."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, *, kind: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = kind or cls.__name__.lower()
        if kind in MODELS:
            raise TypeError(f"model kind {kind!r} is already taken by {MODELS[kind].__name__}")
        cls.kind = kind
        MODELS[kind] = cls

    def __init__(self, **values: object) -> None:
        fields = fields_of(type(self))
        unknown = [name for name in values if name not in fields]
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {unknown[0]!r}")
        for name in fields:
            setattr(self, name, values.get(name))


def load(data: Mapping[str, object]) -> Model:
    """Build the model that ``data["kind"]`` names from the rest of ``data``."""
    values = dict(data)
    kind = values.pop("kind", None)
    if not isinstance(kind, str) or kind not in MODELS:
        raise ValueError(f"unknown model kind {kind!r}")
    return MODELS[kind](**values)


FIELD_TYPES: Mapping[str, type[Field]] = {"int": Integer, "float": Number, "str": Text}


def make_model(
    name: str, schema: Mapping[str, Mapping[str, Any]], kind: str | None = None
) -> type[Model]:
    """Create a Model subclass called ``name`` at run time from ``schema``, with ``type()``.

    ``schema`` maps each field's name to its settings: ``"type"`` (``int``, ``float`` or
    ``str``) and the keyword arguments of that field class. The class is registered under
    ``kind`` and decorated with ``with_repr``.
    """
    namespace: dict[str, object] = {}
    for field_name, spec in schema.items():
        settings = dict(spec)
        type_name = settings.pop("type", None)
        if type_name not in FIELD_TYPES:
            raise ValueError(f"{field_name}: unknown field type {type_name!r}")
        namespace[field_name] = FIELD_TYPES[type_name](**settings)
    cls = type(name, (Model,), namespace, kind=kind)
    return with_repr(cls)
