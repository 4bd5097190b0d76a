"""A typed settings schema: fields declared as class attributes, checked on every assignment.

    class AppSettings(Settings, env_prefix="APP_"):
        host = Field(str, default="localhost")
        port = Field(int, default=8080, minimum=1, maximum=65535)

    AppSettings.from_env(os.environ)    # AppSettings(host='localhost', port=9000)

Each `Field` is a descriptor: `__set_name__` tells it its name, `__set__` validates, `__get__`
reads. `Settings.__init_subclass__` collects a class's fields, its bases' included, when the
class is created, and checks their defaults there.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from typing import Any, ClassVar, Generic, Self, TypeVar, overload

# A field holds one of these four types, and nothing else.
T = TypeVar("T", bool, int, float, str)

KINDS = (bool, int, float, str)
TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off"})


class _Missing(enum.Enum):
    MISSING = "MISSING"


MISSING = _Missing.MISSING
"""The default of a field that has none: the setting is required."""


class SettingsError(ValueError):
    """A setting that is missing, unknown or invalid: ``.field`` names it, ``.reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class Field(Generic[T]):
    """One setting of a Settings class: its type, default and limits."""

    name: str  # set by __set_name__ when the class that declares the field is created

    def __init__(
        self,
        kind: type[T],
        *,
        default: T | _Missing = MISSING,
        minimum: T | None = None,
        maximum: T | None = None,
        choices: Collection[T] | None = None,
    ) -> None:
        if kind not in KINDS:
            raise TypeError(f"a field is a bool, int, float or str, not {kind!r}")
        self.kind: type[T] = kind
        self.default: T | _Missing = default
        self.minimum: T | None = minimum
        self.maximum: T | None = maximum
        self.choices: tuple[T, ...] | None = tuple(choices) if choices is not None else None

    @property
    def required(self) -> bool:
        return self.default is MISSING

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None) -> Field[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None) -> T: ...

    def __get__(self, instance: object, owner: type | None) -> Field[T] | T:
        if instance is None:
            return self
        try:
            value: T = instance.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None
        return value

    def __set__(self, instance: object, value: T) -> None:
        instance.__dict__[self.name] = self.validate(value)

    def validate(self, value: object) -> T:
        """``value`` as this field holds it, or a SettingsError naming the field."""
        checked = self._typed(value)
        if self.minimum is not None and checked < self.minimum:
            raise SettingsError(self.name, f"{checked!r} is below the minimum {self.minimum!r}")
        if self.maximum is not None and checked > self.maximum:
            raise SettingsError(self.name, f"{checked!r} is above the maximum {self.maximum!r}")
        if self.choices is not None and checked not in self.choices:
            allowed = ", ".join(repr(choice) for choice in self.choices)
            raise SettingsError(self.name, f"{checked!r} is not one of {allowed}")
        return checked

    def _typed(self, value: object) -> T:
        # bool is a subclass of int, but True is no port number.
        if isinstance(value, bool) == (self.kind is bool):
            if isinstance(value, self.kind):
                return value
            if self.kind is float and isinstance(value, int):
                return self.kind(value)
        raise SettingsError(self.name, f"expected {self.kind.__name__}, got {type(value).__name__} {value!r}")

    def parse(self, text: str, source: str) -> T:
        """The value of the environment variable ``source``, whose text is ``text``, validated."""
        return self.validate(self._read(text, source))

    def _read(self, text: str, source: str) -> object:
        problem = SettingsError(self.name, f"cannot read {source}={text!r} as {self.kind.__name__}")
        if self.kind is bool:
            lowered = text.strip().lower()
            if lowered in TRUE:
                return True
            if lowered in FALSE:
                return False
            raise problem
        try:
            return self.kind(text)
        except ValueError:
            raise problem from None


class Settings:
    """Base class of a settings schema; subclasses declare Fields as class attributes."""

    _fields: ClassVar[dict[str, Field[Any]]] = {}
    env_prefix: ClassVar[str] = ""

    def __init_subclass__(cls, *, env_prefix: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: dict[str, Field[Any]] = {}
        # Like dataclasses: base classes first, and a field redefined keeps its place.
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Field):
                    fields[name] = value
        for name, field in vars(cls).items():
            if isinstance(field, Field) and not field.required:
                field.validate(field.default)
        cls._fields = fields
        if env_prefix is not None:
            cls.env_prefix = env_prefix

    @classmethod
    def fields(cls) -> dict[str, Field[Any]]:
        """The fields by name, in declaration order, the base classes' first."""
        return dict(cls._fields)

    def __init__(self, **values: object) -> None:
        fields = self._fields
        for name in values:
            if name not in fields:
                raise SettingsError(name, "unknown setting")
        for name, field in fields.items():
            if name in values:
                setattr(self, name, values[name])
            elif field.required:
                raise SettingsError(name, "required")
            else:
                setattr(self, name, field.default)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Self:
        return cls(**data)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Self:
        values: dict[str, object] = {}
        for name, field in cls._fields.items():
            source = cls.env_prefix + name.upper()
            if source in env:
                values[name] = field.parse(env[source], source)
        return cls(**values)

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self._fields}

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.as_dict().items())
        return f"{type(self).__name__}({shown})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Settings)
        return self.as_dict() == other.as_dict()
