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

TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off"})


class _Missing(enum.Enum):
    MISSING = "MISSING"


MISSING = _Missing.MISSING
"""The default of a field that has none: the setting is required."""


class SettingsError(ValueError):
    """A setting that is missing, unknown or invalid: ``.field`` names it, ``.reason`` says why.

    Its message is ``f"{field}: {reason}"``, e.g. ``port: 0 is below the minimum 1``.
    """

    def __init__(self, field: str, reason: str) -> None:
        raise NotImplementedError


class Field(Generic[T]):
    """One setting of a Settings class: its type, default and limits.

    ``kind`` is bool, int, float or str (TypeError otherwise). Public attributes: ``name`` (set
    by ``__set_name__``), ``kind``, ``default`` and the property ``required``.
    """

    name: str

    def __init__(
        self,
        kind: type[T],
        *,
        default: T | _Missing = MISSING,
        minimum: T | None = None,
        maximum: T | None = None,
        choices: Collection[T] | None = None,
    ) -> None:
        raise NotImplementedError

    @property
    def required(self) -> bool:
        """Whether the field has no default."""
        raise NotImplementedError

    def __set_name__(self, owner: type, name: str) -> None:
        raise NotImplementedError

    @overload
    def __get__(self, instance: None, owner: type | None) -> Field[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None) -> T: ...

    def __get__(self, instance: object, owner: type | None) -> Field[T] | T:
        """On the class, the Field itself; on an instance, the instance's value."""
        raise NotImplementedError

    def __set__(self, instance: object, value: T) -> None:
        """Store ``self.validate(value)`` for ``instance``."""
        raise NotImplementedError

    def validate(self, value: object) -> T:
        """``value`` as this field holds it, or a SettingsError naming the field (see the README)."""
        raise NotImplementedError


class Settings:
    """Base class of a settings schema; subclasses declare Fields as class attributes."""

    env_prefix: ClassVar[str] = ""

    def __init_subclass__(cls, *, env_prefix: str | None = None, **kwargs: Any) -> None:
        """Collect the new class's fields (its bases' first), check their defaults, and set
        ``env_prefix`` if it is given (else it is inherited). Pass ``kwargs`` on to ``super()``."""
        raise NotImplementedError

    @classmethod
    def fields(cls) -> dict[str, Field[Any]]:
        """The fields by name, in declaration order, the base classes' first (a new dict)."""
        raise NotImplementedError

    def __init__(self, **values: object) -> None:
        """Each field's value from ``values`` or its default; SettingsError for an unknown name,
        a required field left out or an invalid value."""
        raise NotImplementedError

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Self:
        raise NotImplementedError

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Self:
        """Read the field ``port`` from ``env[cls.env_prefix + "PORT"]``, and so on; others are
        ignored."""
        raise NotImplementedError

    def as_dict(self) -> dict[str, object]:
        raise NotImplementedError

    def __repr__(self) -> str:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        raise NotImplementedError
