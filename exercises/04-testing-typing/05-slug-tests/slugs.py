"""URL slugs and safe file names from what users type.

This is the code under test: read it, then write the tests in test_slugs.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

# Device names that Windows refuses as a file name, with any extension ("con.txt" too).
RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{n}" for n in range(1, 10)}
    | {f"LPT{n}" for n in range(1, 10)}
)
# Characters that Windows, macOS or Linux refuse in a file name.
FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(title: str, *, max_length: int = 64) -> str:
    """The title as a URL slug: lower-case ASCII letters and digits joined by single "-".

    Accents are dropped ("Crème brûlée" -> "creme-brulee"), and compatibility forms become
    their plain letters ("ﬁle" -> "file", "①" -> "1"); every other character separates
    words. A slug longer than `max_length` is cut there, without a "-" left at its end. A
    title with nothing left is "untitled". A `max_length` below 1 raises ValueError.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    decomposed = unicodedata.normalize("NFKD", title)
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    slug = NOT_SLUG.sub("-", ascii_only.lower()).strip("-")
    slug = slug[:max_length].rstrip("-")
    return slug or "untitled"


def unique_slug(title: str, taken: Container[str], *, max_length: int = 64) -> str:
    """`slugify(title)`, or, when that slug is taken, the first free one of "-2", "-3", ...

    The suffix counts toward `max_length`: the slug is cut shorter to make room for it.
    """
    slug = slugify(title, max_length=max_length)
    number = 1
    candidate = slug
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        base = slug[: max_length - len(suffix)].rstrip("-")
        candidate = base + suffix
    return candidate


def safe_filename(name: str, *, max_bytes: int = 255) -> str:
    """`name` made safe to save on Windows, macOS and Linux, in at most `max_bytes` of UTF-8.

    - Composed to NFC, so that "é" typed two ways gives one file.
    - Each forbidden character (`<>:"/\\|?*` and control characters) becomes "_".
    - Trailing dots and spaces are removed (Windows drops them silently).
    - A Windows device name, in any case and with any extension ("con", "Lpt1.log"), gets
      a "_" in front.
    - A name with nothing left ("", "...", "?") is "_".
    - A name too long loses characters from the end of its stem, never from its extension
      (the part from the last "." on, when it is short) and never half a character.
    """
    cleaned = FORBIDDEN.sub("_", unicodedata.normalize("NFC", name)).rstrip(". ")
    if not cleaned:
        return "_"
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        stem, extension = cleaned, ""
    else:
        extension = "." + extension
    if stem.split(".")[0].upper() in RESERVED_NAMES:
        stem = "_" + stem
    budget = max_bytes - len(extension.encode())
    if budget < 1:
        raise ValueError(f"max_bytes={max_bytes} leaves no room for a name")
    stem = stem.encode()[:budget].decode("utf-8", "ignore")
    return stem + extension
