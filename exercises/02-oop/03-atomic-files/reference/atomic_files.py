"""Write files so that readers see the old content or the new, never half of either."""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, Self

StrPath = str | os.PathLike[str]


@contextlib.contextmanager
def atomic_write(path: StrPath, mode: str = "w", encoding: str = "utf-8") -> Iterator[IO[Any]]:
    """Write ``path`` all at once: yield a file to write, and put it in place at the end.

    The file is a temporary one in the same folder as ``path``. When the block
    ends normally, it replaces ``path`` in one step (``os.replace``); when the
    block raises, it is removed and ``path`` is left as it was. ``mode`` is
    ``"w"`` (text, in ``encoding``) or ``"wb"`` (bytes).
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    if mode == "w":
        codecs.lookup(encoding)  # LookupError now, before any file is made
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    # "x" creates the file or fails: never truncate a file that someone else made.
    file = open(temporary, mode.replace("w", "x"), encoding=encoding if mode == "w" else None)
    try:
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())  # the bytes are on disk before the name points at them
        if target.exists():
            shutil.copymode(target, temporary)
        os.replace(temporary, target)
    finally:
        # After a successful replace the temporary name is gone already.
        temporary.unlink(missing_ok=True)


class Staged:
    """A JSON settings file changed all at once, by a ``with`` block.

    Inside the block, ``set`` and ``delete`` are staged; ``get`` sees them. A
    block that ends normally writes the staged settings with ``atomic_write``
    (if it staged any change); a block that raises writes nothing.
    """

    def __init__(self, path: StrPath) -> None:
        self._path = Path(path)
        self._staged: dict[str, object] | None = None
        self._changed = False

    def __enter__(self) -> Self:
        if self._staged is not None:
            raise RuntimeError(f"settings {str(self._path)!r} are already being changed")
        self._staged = self._load()
        self._changed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        staged, self._staged = self._staged, None
        if exc_type is None and self._changed and staged is not None:
            with atomic_write(self._path) as file:
                file.write(json.dumps(staged, indent=2, sort_keys=True) + "\n")
        return False

    def get(self, key: str, default: object = None) -> object:
        """The value of ``key`` with the staged changes, or ``default``."""
        return self._active().get(key, default)

    def set(self, key: str, value: object) -> None:
        """Stage ``key = value``. TypeError now if ``value`` cannot be written as JSON."""
        staged = self._active()
        staged[key] = json.loads(json.dumps(value))  # checks it, and keeps a copy of our own
        self._changed = True

    def delete(self, key: str) -> None:
        """Stage the removal of ``key``. KeyError if it is not set."""
        del self._active()[key]
        self._changed = True

    def _active(self) -> dict[str, object]:
        if self._staged is None:
            raise RuntimeError("settings can only be read or changed inside a `with` block")
        return self._staged

    def _load(self) -> dict[str, object]:
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        settings = json.loads(text)
        if not isinstance(settings, dict):
            raise ValueError(f"{str(self._path)!r} must hold a JSON object")
        return settings
