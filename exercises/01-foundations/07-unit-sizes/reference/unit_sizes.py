"""Sizes for a storage-quota tool: read "1.5 GiB" as an exact number of bytes, write a number
of bytes back as the shortest exact human size, and decode the header of a quota file."""

from __future__ import annotations

import re
import struct
import sys
from dataclasses import dataclass

# The prefixes, each a power of 1000 (SI: kB, MB, ...) or of 1024 (IEC: KiB, MiB, ...).
PREFIXES = "kmgtp"
SI_UNITS = ("B", "kB", "MB", "GB", "TB", "PB")
IEC_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")

# Digits, optionally a point and more digits; then, after optional spaces, letters.
SIZE = re.compile(r"([0-9]+)(?:\.([0-9]+))?[ \t]*([A-Za-z]*)")

# The header of a quota file: magic, version, flags, owner length, limit, used, grace period.
MAGIC = b"QUOT"
VERSION = 1
HAS_GRACE = 0x01
HEADER = struct.Struct(">4sBBHQQI")


@dataclass(frozen=True)
class QuotaHeader:
    """What the header of a quota file says."""

    limit: int
    used: int
    grace_seconds: int | None
    owner: str


def unit_factor(unit: str) -> int:
    """How many bytes one ``unit`` is: "" and "B" are 1, "kB" 1000, "KiB" 1024, and so on."""
    if unit in ("", "B"):
        return 1
    prefix, rest = unit[0].lower(), unit[1:]
    if prefix in PREFIXES and rest in ("B", "iB"):
        base = 1024 if rest == "iB" else 1000
        factor: int = base ** (PREFIXES.index(prefix) + 1)
        return factor
    raise ValueError(f"unknown unit {unit!r}")


def parse_size(text: str) -> int:
    """The exact number of bytes that ``text`` ("1.5 KiB", "2GB", "512") stands for."""
    match = SIZE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a size: {text!r}")
    whole, fraction, unit = match.group(1), match.group(2) or "", match.group(3)
    scaled = int(whole + fraction) * unit_factor(unit)
    divisor: int = 10 ** len(fraction)
    size, rest = divmod(scaled, divisor)
    if rest:
        raise ValueError(f"not a whole number of bytes: {text!r}")
    return size


def format_size(size: int, *, binary: bool = True) -> str:
    """The shortest exact way to write ``size`` bytes: the largest unit in which it is at least
    1 with at most two decimals ("1.5 KiB", "1 MiB", "1025 B")."""
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError(f"size must be an int, got {type(size).__name__}")
    if size < 0:
        raise ValueError(f"size must not be negative, got {size}")
    units = IEC_UNITS if binary else SI_UNITS
    base = 1024 if binary else 1000
    for power in range(len(units) - 1, 0, -1):
        factor: int = base**power
        hundredths, rest = divmod(size * 100, factor)
        if size >= factor and not rest:
            whole, cents = divmod(hundredths, 100)
            amount = f"{whole}.{cents:02d}".rstrip("0").rstrip(".")
            return f"{amount} {units[power]}"
    return f"{size} B"


def read_header(data: bytes) -> QuotaHeader:
    """Decode the header at the start of a quota file (see the README for its layout)."""
    if len(data) < HEADER.size:
        raise ValueError(f"header is {len(data)} bytes, needs at least {HEADER.size}")
    magic, version, flags, owner_length, limit, used, grace = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ValueError(f"not a quota file: magic {magic!r}")
    if version != VERSION:
        raise ValueError(f"unsupported version {version}")
    if flags & ~HAS_GRACE:
        raise ValueError(f"unknown flags {flags:#04x}")
    end = HEADER.size + owner_length
    if len(data) < end:
        raise ValueError(f"header and owner need {end} bytes, got {len(data)}")
    try:
        owner = data[HEADER.size : end].decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"owner is not UTF-8: {error}") from error
    return QuotaHeader(limit, used, grace if flags & HAS_GRACE else None, owner)


def main() -> int:
    """Read sizes from standard input, one a line, and print each in bytes and in both kinds of
    unit. Blank lines are skipped; a line that is not a size is reported on standard error, and
    the exit status is then 1."""
    status = 0
    for number, line in enumerate(sys.stdin, start=1):
        text = line.strip()
        if not text:
            continue
        try:
            size = parse_size(text)
        except ValueError as error:
            print(f"line {number}: {error}", file=sys.stderr)
            status = 1
            continue
        print(f"{text}: {size} bytes = {format_size(size)} = {format_size(size, binary=False)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
