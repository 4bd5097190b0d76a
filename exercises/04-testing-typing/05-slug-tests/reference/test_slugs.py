"""Tests of slugs.py: URL slugs and file names from what users type."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from slugs import safe_filename, slugify, unique_slug

LONG_TITLE = "The quick brown fox jumps over the lazy dog " * 3


@pytest.fixture
def taken() -> set[str]:
    """Slugs that already exist on the blog."""
    return {"release-notes", "release-notes-2", "faq"}


@pytest.fixture(
    params=[unicodedata.normalize("NFC", "Café"), unicodedata.normalize("NFD", "Café")],
    ids=["NFC", "NFD"],
)
def cafe(request: pytest.FixtureRequest) -> str:
    """ "Café" in the two forms a keyboard or a file system may hand over."""
    word: str = request.param
    return word


# --- slugify ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Hello, World!", "hello-world"),
        ("Crème brûlée", "creme-brulee"),
        ("  --Already--slugged--  ", "already-slugged"),
        ("ﬁle ① Ⅻ", "file-1-xii"),
        ("Python 3.11 -- what's new?", "python-3-11-what-s-new"),
        ("日本語", "untitled"),
        ("", "untitled"),
        ("!!!", "untitled"),
    ],
)
def test_slugify(title: str, expected: str) -> None:
    assert slugify(title) == expected


def test_slugify_treats_both_unicode_forms_alike(cafe: str) -> None:
    assert slugify(cafe) == "cafe"


@pytest.mark.parametrize(
    ("max_length", "expected"),
    [(1, "a"), (2, "a"), (3, "a-b"), (4, "a-b"), (5, "a-b-c")],
)
def test_slugify_cuts_at_max_length_without_a_trailing_dash(
    max_length: int, expected: str
) -> None:
    assert slugify("a b c", max_length=max_length) == expected


def test_slugify_default_length_is_64() -> None:
    slug = slugify(LONG_TITLE)
    assert len(slug) <= 64
    assert slug == slugify(LONG_TITLE, max_length=64)
    assert slug.startswith("the-quick-brown-fox") and not slug.endswith("-")
    assert len(slugify("x" * 70)) == 64


@pytest.mark.parametrize("max_length", [0, -1])
def test_slugify_refuses_a_max_length_below_one(max_length: int) -> None:
    with pytest.raises(ValueError, match="max_length"):
        slugify("title", max_length=max_length)


# --- unique_slug -----------------------------------------------------------------------


def test_a_free_slug_is_kept(taken: set[str]) -> None:
    assert unique_slug("Changelog", taken) == "changelog"


@pytest.mark.parametrize(
    ("title", "expected"), [("FAQ", "faq-2"), ("Release notes", "release-notes-3")]
)
def test_a_taken_slug_gets_the_first_free_number(
    taken: set[str], title: str, expected: str
) -> None:
    assert unique_slug(title, taken) == expected


def test_the_suffix_fits_within_max_length(taken: set[str]) -> None:
    assert unique_slug("Release notes", taken, max_length=13) == "release-not-2"
    assert unique_slug("abc def", {"abc-de"}, max_length=6) == "abc-2"


# --- safe_filename ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ('a/b\\c:d*e?f"g<h>i|j.txt', "a_b_c_d_e_f_g_h_i_j.txt"),
        ("tab\there\x00.txt", "tab_here_.txt"),
        ("notes. . ", "notes"),
        ("trailing.txt...", "trailing.txt"),
        ("", "_"),
        ("...", "_"),
        (" ", "_"),
        (".bashrc", ".bashrc"),
    ],
)
def test_safe_filename_replaces_and_strips(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("Lpt1.tar.gz", "_Lpt1.tar.gz"),
        ("nul.", "_nul"),
        ("com9.log", "_com9.log"),
        ("com10.log", "com10.log"),
        ("console.txt", "console.txt"),
        ("my con.txt", "my con.txt"),
    ],
)
def test_safe_filename_guards_windows_device_names(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_safe_filename_composes_to_nfc(cafe: str) -> None:
    assert safe_filename(cafe + ".md") == unicodedata.normalize("NFC", "Café.md")


@pytest.mark.parametrize("max_bytes", [10, 11, 12, 255])
def test_a_long_name_keeps_its_extension_and_whole_characters(max_bytes: int) -> None:
    name = "é" * 300 + ".txt"
    safe = safe_filename(name, max_bytes=max_bytes)
    assert safe.endswith(".txt")
    assert set(safe[: -len(".txt")]) == {"é"}
    assert max_bytes - 1 <= len(safe.encode()) <= max_bytes


def test_a_name_that_fits_is_not_cut() -> None:
    assert safe_filename("a" * 251 + ".txt") == "a" * 251 + ".txt"
    assert safe_filename("ab.txt", max_bytes=6) == "ab.txt"
    assert safe_filename("abc.txt", max_bytes=6) == "ab.txt"


def test_a_long_extension_is_part_of_the_stem() -> None:
    assert safe_filename("x.abcdefghijk", max_bytes=5) == "x.abc"
    assert safe_filename("x.abcdefghij", max_bytes=12) == "x.abcdefghij"


def test_no_room_for_a_name_is_an_error() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        safe_filename("report.pdf", max_bytes=4)


@pytest.mark.parametrize(
    "name", ["CON.txt", "quarterly: report?.pdf", "Crème brûlée.md", "é" * 300 + ".txt"]
)
def test_safe_names_can_be_created(tmp_path: Path, name: str) -> None:
    safe = safe_filename(name)
    (tmp_path / safe).touch()
    assert [path.name for path in tmp_path.iterdir()] == [safe]
