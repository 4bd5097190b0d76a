"""Checksum a release's artefacts on several cores.

`checksum` is pure Python: it holds the GIL for every byte, so threads cannot run two of
them at once. `checksum_all` spreads the blobs over worker processes instead, in chunks,
and keeps their order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from multiprocessing.context import BaseContext

# Adler-32's modulus: the largest prime below 2**16.
MOD_ADLER = 65521

# Below this many blobs, starting worker processes costs more than it saves.
MIN_PARALLEL = 8


def checksum(blob: bytes) -> int:
    """Adler-32 of ``blob``, one byte at a time in Python (the same value as ``zlib.adler32``).

    Given: this is the CPU-bound work to spread. Do not change it.
    """
    low, high = 1, 0
    for byte in blob:
        low = (low + byte) % MOD_ADLER
        high = (high + low) % MOD_ADLER
    return (high << 16) | low


class ChecksumError(Exception):
    """Checksumming ``blobs[index]`` failed; the exception it raised is the ``__cause__``."""

    index: int

    def __init__(self, index: int, error: BaseException) -> None:
        """Store ``index``. The message, ``str(err)``, must be exactly::

            blob 4: CorruptBlob: bad header b'BAD-4!'

        that is, the index, the name of the error's class and the error's own message.
        """
        raise NotImplementedError


def checksum_all(
    blobs: Sequence[bytes],
    *,
    workers: int = 2,
    chunksize: int = 1,
    min_parallel: int = MIN_PARALLEL,
    fn: Callable[[bytes], int] = checksum,
    mp_context: BaseContext | None = None,
) -> list[int]:
    """Return ``[fn(blob) for blob in blobs]``, computed in ``workers`` processes.

    - ``workers < 1`` or ``chunksize < 1`` raises ValueError.
    - With ``workers == 1``, or fewer than ``min_parallel`` blobs, compute everything in
      this process: no pool is started.
    - Otherwise use a process pool of ``workers`` processes, started with ``mp_context``
      (None: the default start method). Each task it runs is one chunk: ``chunksize``
      consecutive blobs (the last chunk may be shorter).
    - The results are in the order of ``blobs``, whatever order the chunks finish in.
    - If ``fn`` raises, raise ``ChecksumError(index, error) from error`` for the first blob,
      in input order, that failed. The pool is shut down before this function returns or
      raises.

    A pool pickles what it sends to a worker: the function a worker runs must be defined
    at module level (not a lambda or a nested function).
    """
    raise NotImplementedError
