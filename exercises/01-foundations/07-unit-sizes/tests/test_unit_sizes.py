"""Tests for unit_sizes.py: exact sizes from text, the shortest exact text for a size, and the
header of a quota file decoded from bytes."""

from __future__ import annotations

import io

import pytest
from pygrade_graders.compare import assert_same

from unit_sizes import QuotaHeader, format_size, main, parse_size, read_header

KiB, MiB, GiB, TiB, PiB = (1024**power for power in range(1, 6))


# --- parse_size ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("512", 512),
        ("0", 0),
        ("7 B", 7),
        ("7B", 7),
        ("1.5 KiB", 1536),
        ("2GB", 2_000_000_000),
        ("0.5 MiB", 524_288),
        ("1 kB", 1000),
        ("3 MB", 3_000_000),
        ("4 TB", 4 * 10**12),
        ("1 PB", 10**15),
        ("1 KiB", KiB),
        ("1.25GiB", 5 * GiB // 4),
        ("3 TiB", 3 * TiB),
        ("2 PiB", 2 * PiB),
        ("0 KiB", 0),
        ("007 B", 7),
    ],
)
def test_sizes_in_every_unit(text: str, size: int) -> None:
    assert_same(parse_size(text), size)


@pytest.mark.parametrize(
    ("text", "size"),
    [("1 KB", 1000), ("1 kB", 1000), ("1 mB", 10**6), ("1 gB", 10**9), ("1 kiB", KiB), ("1 gIB", None)],
)
def test_the_prefix_letter_may_be_either_case(text: str, size: int | None) -> None:
    if size is None:  # ... but the i of a binary unit may not
        with pytest.raises(ValueError):
            parse_size(text)
    else:
        assert_same(parse_size(text), size)


def test_spaces_around_the_size_and_before_the_unit_do_not_matter() -> None:
    assert_same(parse_size("  42  "), 42)
    assert_same(parse_size("\t1.5   KiB\n"), 1536)
    assert_same(parse_size("1.5KiB"), 1536)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("2.01 kB", 2010),
        ("2.03 MB", 2_030_000),
        ("4.02 GB", 4_020_000_000),
        ("0.57 kB", 570),
        ("1.0009765625 KiB", 1025),
        ("0.001 kB", 1),
        ("9007199254740993 B", 2**53 + 1),
        ("123456789012345678901234567890 PB", 123456789012345678901234567890 * 10**15),
        ("1.000000000000000000001 PB", None),
    ],
)
def test_sizes_are_exact_where_a_float_would_round(text: str, size: int | None) -> None:
    if size is None:  # 10**15 bytes and one 10**-21 of them: not a whole number of bytes
        with pytest.raises(ValueError):
            parse_size(text)
    else:
        assert_same(parse_size(text), size)


def test_the_result_is_an_int_even_with_a_fraction() -> None:
    assert_same(parse_size("1.50 KiB"), 1536)
    assert_same(parse_size("2.0 B"), 2)


@pytest.mark.parametrize("text", ["1.5 B", "0.5", "0.1 B", "0.001 B", "0.0001 kB", "1.0001 KiB", "0.3 KiB"])
def test_a_size_that_is_not_a_whole_number_of_bytes_is_an_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "text",
    ["", "   ", "KiB", "-1 KiB", "-0", "+5 B", "nan", "NaN B", "inf", "Infinity KiB", "1e3",
     "1E3 B", "1_000", "1,5 KiB", "1.", ".5 KiB", "1.5.2 B", "0x10", "\u0661\u0662", "1 2 B"],
)
def test_text_that_is_no_number_is_an_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


@pytest.mark.parametrize(
    "text",
    ["12 mb", "12 Mb", "1 kb", "1 MIB", "1 KIB", "1 iB", "1 KiBB", "1 K", "1 Ki", "1 XB",
     "1 EB", "1 bytes", "1 b", "1 KB B"],
)
def test_unknown_units_are_an_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


# --- format_size -----------------------------------------------------------------


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1, "1 B"),
        (1023, "1023 B"),
        (1000, "1000 B"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (1280, "1.25 KiB"),
        (1034, "1034 B"),
        (1152, "1152 B"),
        (1025, "1025 B"),
        (MiB, "1 MiB"),
        (MiB - KiB, "1023 KiB"),
        (3 * MiB // 2, "1.5 MiB"),
        (2_000_000_000, "1953125 KiB"),
        (5 * GiB // 4, "1.25 GiB"),
        (7 * TiB, "7 TiB"),
        (3 * PiB, "3 PiB"),
        (1024 * PiB, "1024 PiB"),
    ],
)
def test_binary_sizes_are_written_in_the_largest_exact_unit(size: int, text: str) -> None:
    assert_same(format_size(size), text)
    assert_same(format_size(size, binary=True), text)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1 kB"),
        (1001, "1001 B"),
        (1010, "1.01 kB"),
        (1020, "1.02 kB"),
        (1024, "1024 B"),
        (4350, "4.35 kB"),
        (1_100_000, "1.1 MB"),
        (1_234_567, "1234567 B"),
        (1_234_000, "1234 kB"),
        (999_990_000, "999.99 MB"),
        (2 * 10**9, "2 GB"),
        (5 * 10**12, "5 TB"),
        (10**15, "1 PB"),
        (10**18, "1000 PB"),
    ],
)
def test_si_sizes_are_written_in_the_largest_exact_unit(size: int, text: str) -> None:
    assert_same(format_size(size, binary=False), text)


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1023, 1024, 1536, 4350, 10**6 + 1, 3 * PiB + 1, 12345678901])
def test_a_written_size_reads_back_as_the_same_size(size: int) -> None:
    assert_same(parse_size(format_size(size)), size)
    assert_same(parse_size(format_size(size, binary=False)), size)


def test_binary_is_keyword_only() -> None:
    assert_same(format_size(2000, binary=False), "2 kB")
    with pytest.raises(TypeError):
        format_size(2000, False)  # type: ignore[call-arg]


@pytest.mark.parametrize("size", [True, False, 1.0, 1536.0, "1536", None])
def test_a_size_that_is_no_int_is_a_type_error(size: object) -> None:
    with pytest.raises(TypeError):
        format_size(size)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [-1, -1024])
def test_a_negative_size_is_a_value_error(size: int) -> None:
    with pytest.raises(ValueError):
        format_size(size)
    with pytest.raises(ValueError):
        format_size(size, binary=False)


# --- read_header -----------------------------------------------------------------


def header(
    *,
    magic: bytes = b"QUOT",
    version: int = 1,
    flags: int = 0,
    limit: int = 0,
    used: int = 0,
    grace: int = 0,
    owner: bytes = b"",
    owner_length: int | None = None,
) -> bytes:
    """A quota-file header, laid out as the README says."""
    length = len(owner) if owner_length is None else owner_length
    fixed = magic + bytes([version, flags]) + length.to_bytes(2, "big")
    fixed += limit.to_bytes(8, "big") + used.to_bytes(8, "big") + grace.to_bytes(4, "big")
    return fixed + owner


@pytest.mark.weight(2)
def test_a_header_with_a_grace_period() -> None:
    data = header(flags=1, limit=5 * GiB, used=3 * GiB + 17, grace=86_400, owner=b"team-billing")

    assert_same(read_header(data), QuotaHeader(5 * GiB, 3 * GiB + 17, 86_400, "team-billing"))


@pytest.mark.weight(2)
def test_without_the_flag_there_is_no_grace_period_whatever_the_field_holds() -> None:
    assert_same(read_header(header(limit=10, used=2, grace=0)), QuotaHeader(10, 2, None, ""))
    assert_same(read_header(header(limit=10, used=2, grace=600)), QuotaHeader(10, 2, None, ""))


def test_a_grace_period_of_zero_is_zero_not_none() -> None:
    assert_same(read_header(header(flags=1, grace=0)).grace_seconds, 0)


def test_numbers_are_big_endian_and_unsigned() -> None:
    data = header(flags=1, limit=2**64 - 1, used=2**63 + 5, grace=2**32 - 2, owner=b"x")

    assert_same(read_header(data), QuotaHeader(2**64 - 1, 2**63 + 5, 2**32 - 2, "x"))


def test_each_field_is_read_from_its_own_offset() -> None:
    data = header(flags=1, limit=0x0102030405060708, used=0x1112131415161718, grace=0x21222324, owner=b"ab")

    assert_same(read_header(data), QuotaHeader(0x0102030405060708, 0x1112131415161718, 0x21222324, "ab"))


def test_the_owner_is_utf8_and_the_bytes_after_the_header_are_not_read() -> None:
    data = header(owner="zoë-ops".encode()) + b"\xff\xfe entries follow"

    assert_same(read_header(data).owner, "zoë-ops")


def test_the_owner_length_decides_where_the_owner_ends() -> None:
    data = header(owner=b"abcdef", owner_length=3)

    assert_same(read_header(data).owner, "abc")


def test_a_header_of_exactly_28_bytes_has_an_empty_owner() -> None:
    data = header(limit=1, used=1)

    assert_same(len(data), 28)
    assert_same(read_header(data), QuotaHeader(1, 1, None, ""))


@pytest.mark.parametrize("size", [0, 4, 27])
def test_a_header_shorter_than_28_bytes_is_an_error(size: int) -> None:
    with pytest.raises(ValueError):
        read_header(header(limit=1)[:size])


@pytest.mark.parametrize("owner_length", [1, 4, 60000])
def test_an_owner_longer_than_the_data_is_an_error(owner_length: int) -> None:
    with pytest.raises(ValueError):
        read_header(header(owner=b"", owner_length=owner_length))
    with pytest.raises(ValueError):
        read_header(header(owner=b"abc", owner_length=owner_length + 3))


@pytest.mark.parametrize("magic", [b"QUOX", b"quot", b"\x00QUO", b"TOUQ"])
def test_a_wrong_magic_is_an_error(magic: bytes) -> None:
    with pytest.raises(ValueError):
        read_header(header(magic=magic))


@pytest.mark.parametrize("version", [0, 2, 255])
def test_an_unknown_version_is_an_error(version: int) -> None:
    with pytest.raises(ValueError):
        read_header(header(version=version))


@pytest.mark.parametrize("flags", [0x02, 0x03, 0x80, 0xFF])
def test_an_unknown_flag_is_an_error(flags: int) -> None:
    with pytest.raises(ValueError):
        read_header(header(flags=flags))


@pytest.mark.parametrize("owner", [b"\xff", b"caf\xc3", b"\xc3\x28"])
def test_an_owner_that_is_not_utf8_is_a_value_error(owner: bytes) -> None:
    with pytest.raises(ValueError):
        read_header(header(owner=owner))


# --- main ------------------------------------------------------------------------


def test_main_prints_each_size_and_reports_bad_lines_by_number(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("1 KiB\n12 mb\n\n  2.01 kB \nnan\n"))

    status = main()

    out, err = capsys.readouterr()
    assert_same(status, 1)
    assert_same(out, "1 KiB: 1024 bytes = 1 KiB = 1024 B\n2.01 kB: 2010 bytes = 2010 B = 2.01 kB\n")
    assert_same([line.split(":")[0] for line in err.splitlines()], ["line 2", "line 5"])


def test_main_returns_0_when_every_line_is_a_size(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("512\n\n1 GB\n"))

    assert_same(main(), 0)
    assert_same(capsys.readouterr().err, "")
