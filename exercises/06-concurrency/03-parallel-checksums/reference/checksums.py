"""Checksum a release's artefacts on several cores.

`checksum` is pure Python: it holds the GIL for every byte, so threads cannot run two of
them at once. `checksum_all` spreads the blobs over worker processes instead, in chunks,
and keeps their order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.context import BaseContext

# Adler-32's modulus: the largest prime below 2**16.
MOD_ADLER = 65521

# Below this many blobs, starting worker processes costs more than it saves.
MIN_PARALLEL = 8


def checksum(blob: bytes) -> int:
    """Adler-32 of ``blob``, one byte at a time in Python (the same value as ``zlib.adler32``)."""
    low, high = 1, 0
    for byte in blob:
        low = (low + byte) % MOD_ADLER
        high = (high + low) % MOD_ADLER
    return (high << 16) | low


class ChecksumError(Exception):
    """Checksumming ``blobs[index]`` failed; the exception it raised is the ``__cause__``."""

    index: int

    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(f"blob {index}: {type(error).__name__}: {error}")
        self.index = index


@dataclass(frozen=True)
class _Failure:
    """What a chunk sends back when ``fn`` raised: which blob, and the exception."""

    index: int
    error: Exception


def _checksum_chunk(
    fn: Callable[[bytes], int], start: int, chunk: Sequence[bytes]
) -> list[int] | _Failure:
    """Checksum one chunk, which begins at ``blobs[start]``; stop at the first failure.

    Module-level so that a pool can pickle it by name. A failure is returned, not raised,
    so that the parent learns which blob of the chunk failed.
    """
    results: list[int] = []
    for offset, blob in enumerate(chunk):
        try:
            results.append(fn(blob))
        except Exception as error:
            return _Failure(start + offset, error)
    return results


def _unwrap(outcome: list[int] | _Failure) -> list[int]:
    if isinstance(outcome, _Failure):
        raise ChecksumError(outcome.index, outcome.error) from outcome.error
    return outcome


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

    Each task a worker gets is a chunk of ``chunksize`` consecutive blobs. With one worker,
    or fewer than ``min_parallel`` blobs, everything runs in this process instead. If ``fn``
    raises, ChecksumError names the first blob (in input order) that failed.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if chunksize < 1:
        raise ValueError(f"chunksize must be at least 1, got {chunksize}")
    if workers == 1 or len(blobs) < min_parallel:
        return _unwrap(_checksum_chunk(fn, 0, blobs))

    results: list[int] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context) as pool:
        futures = [
            pool.submit(_checksum_chunk, fn, start, blobs[start : start + chunksize])
            for start in range(0, len(blobs), chunksize)
        ]
        # Chunks are read in input order, so the first failure met is the earliest blob's.
        for future in futures:
            outcome = future.result()
            if isinstance(outcome, _Failure):
                # Chunks that have not started are not worth starting any more.
                pool.shutdown(cancel_futures=True)
            results.extend(_unwrap(outcome))
    return results
