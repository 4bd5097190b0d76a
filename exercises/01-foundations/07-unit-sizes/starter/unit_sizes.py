"""Sizes for a storage-quota tool: read "1.5 GiB" as an exact number of bytes, write a number
of bytes back as the shortest exact human size, and decode the header of a quota file."""

from __future__ import annotations

import sys
from dataclasses import dataclass

# The header of a quota file (see the README for its layout).
MAGIC = b"QUOT"
VERSION = 1
HAS_GRACE = 0x01  # bit 0 of the flags: the grace period is stored


@dataclass(frozen=True)
class QuotaHeader:
    """What the header of a quota file says."""

    limit: int
    used: int
    grace_seconds: int | None
    owner: str


def parse_size(text: str) -> int:
    """The exact number of bytes that ``text`` ("1.5 KiB", "2GB", "512") stands for.

    - Spaces around the text, and between the number and the unit, do not matter.
    - The number is ASCII digits, optionally a point and more digits: no sign, exponent,
      underscore, comma, "nan" or "inf".
    - No unit or "B" is bytes; kB MB GB TB PB are powers of 1000; KiB MiB GiB TiB PiB are
      powers of 1024. The prefix letter may be either case; the "i" is lower-case and the
      "B" upper-case (a lower-case "b" means bits).
    - The result is exact: "4.35 kB" is 4350. A size that is not a whole number of bytes
      ("1.5 B") is an error.
    - Anything else raises ValueError.
    """
    raise NotImplementedError


def format_size(size: int, *, binary: bool = True) -> str:
    """The shortest exact way to write ``size`` bytes.

    The units are B, KiB, MiB, GiB, TiB, PiB (``binary``) or B, kB, MB, GB, TB, PB. The largest
    unit wins in which the amount is at least 1 and has at most two decimals, exactly: 1536 is
    "1.5 KiB", 1025 is "1025 B". No trailing zeros, one space before the unit.

    A ``size`` that is no int (a bool is none here) raises TypeError; a negative one ValueError.
    """
    raise NotImplementedError


def read_header(data: bytes) -> QuotaHeader:
    """Decode the header at the start of a quota file (see the README for its layout).

    Raises ValueError when the data is too short, the magic or version is wrong, an unknown
    flag is set or the owner is not UTF-8.
    """
    raise NotImplementedError


def main() -> int:
    """Read sizes from standard input, one a line, and print each in bytes and in both kinds of
    unit. Blank lines are skipped; a line that is not a size is reported on standard error, and
    the exit status is then 1."""
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main())
