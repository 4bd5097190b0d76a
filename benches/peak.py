"""A process's peak resident memory, as the benchmarks read it while pygrade runs."""

from __future__ import annotations

from pathlib import Path


def peak_kib(pid: int) -> int | None:
    """The most resident memory process `pid` has held so far (VmHWM), in KiB; `None` once it
    is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None
