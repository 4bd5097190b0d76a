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

    - ``mode`` is ``"w"`` (text, in ``encoding``) or ``"wb"`` (bytes); any
      other mode, or an unknown encoding (``codecs.lookup``), raises before
      any file is made (ValueError, LookupError).
    - The yielded file is a new temporary file in the same folder as ``path``
      (``os.replace`` is atomic only within one file system).
    - When the block ends normally: close the file, give it the permissions
      of ``path`` if ``path`` exists (``shutil.copymode``), then
      ``os.replace`` it onto ``path``.
    - When the block raises (any exception, even KeyboardInterrupt), or the
      replace fails: remove the temporary file and let the exception
      propagate; ``path`` is left as it was.
    """
    raise NotImplementedError
    yield  # makes this a generator, as @contextmanager needs: remove it


class Staged:
    """A JSON settings file changed all at once, by a ``with`` block.

        with Staged("settings.json") as settings:
            settings.set("retries", 5)
            settings.delete("beta")
        # written now, atomically; had the block raised, nothing would be

    - ``__enter__`` reads the file (a missing file is ``{}``; a file that is
      not a JSON object raises ValueError) and returns the Staged itself. It
      raises RuntimeError if this Staged is already inside a block.
    - ``__exit__`` writes the staged settings with ``atomic_write`` if the
      block ended normally and staged any change, as
      ``json.dumps(settings, indent=2, sort_keys=True) + "\\n"``. After an
      exception it writes nothing. It always returns False, so that the
      exception propagates, and leaves the Staged ready for another block.
    - ``get``, ``set`` and ``delete`` raise RuntimeError outside a block.
    """

    def __init__(self, path: StrPath) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        raise NotImplementedError

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        raise NotImplementedError

    def get(self, key: str, default: object = None) -> object:
        """The value of ``key``, staged changes included, or ``default``."""
        raise NotImplementedError

    def set(self, key: str, value: object) -> None:
        """Stage ``key = value``. TypeError at once if ``value`` cannot be written as JSON."""
        raise NotImplementedError

    def delete(self, key: str) -> None:
        """Stage the removal of ``key``. KeyError if it is not set."""
        raise NotImplementedError
