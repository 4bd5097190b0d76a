"""Tests for semver: parsing, SemVer precedence, bumping and the command line."""

import dataclasses

import pytest
from pygrade_graders.compare import assert_same

from semver import Version, main


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.0.0", Version(0, 0, 0)),
        ("1.2.3", Version(1, 2, 3)),
        ("10.20.30", Version(10, 20, 30)),
        ("1.0.0-alpha.1", Version(1, 0, 0, ("alpha", 1))),
        ("1.0.0-0.3.7", Version(1, 0, 0, (0, 3, 7))),
        ("1.0.0-x-y-z.--", Version(1, 0, 0, ("x-y-z", "--"))),
        ("1.0.0-rc.1+build.007", Version(1, 0, 0, ("rc", 1), ("build", "007"))),
    ],
)
def test_parse_reads_core_prerelease_and_build(text: str, expected: Version) -> None:
    # Every field counts, the build metadata too, though `==` ignores it.
    assert_same(Version.parse(text), expected)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "text",
    [
        "",
        "1.2",
        "1.2.3.4",
        "v1.2.3",
        "01.2.3",
        "1.2.-3",
        "1.2.3-",
        "1.2.3-alpha..1",
        "1.2.3-01",
        "1.2.3-al_pha",
        "1.2.3+",
        "1.2.3+build+1",
        " 1.2.3",
    ],
)
def test_parse_rejects_invalid_versions_with_clear_message(text: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        Version.parse(text)
    message = str(excinfo.value)
    assert type(message) is str and message.startswith(f"invalid version {text!r}"), (
        "the message should quote the rejected text"
    )


@pytest.mark.parametrize(
    "text", ["1.2.3", "1.0.0-alpha.1", "2.0.0-rc.1+exp.sha.5114f85", "1.0.0+0"]
)
def test_str_round_trips(text: str) -> None:
    assert_same(str(Version.parse(text)), text)


@pytest.mark.weight(2)
def test_sorting_follows_semver_precedence() -> None:
    expected = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.9.0",
        "1.10.0",
        "2.0.0",
    ]
    shuffled = [expected[i] for i in (7, 2, 11, 0, 9, 5, 3, 10, 1, 8, 6, 4)]
    result = sorted(Version.parse(text) for text in shuffled)
    assert_same([str(version) for version in result], expected)


def test_build_metadata_is_ignored_for_equality_and_ordering() -> None:
    a = Version.parse("1.0.0+build.1")
    b = Version.parse("1.0.0+build.2")
    assert_same(a == b, True)
    assert_same((a < b, b < a), (False, False))
    assert_same((a <= b, a >= b), (True, True))
    assert_same(len({a, b}), 1, "equal versions must have equal hashes")


def test_version_is_immutable() -> None:
    version = Version.parse("1.2.3")
    with pytest.raises(dataclasses.FrozenInstanceError):
        version.major = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("major", "2.0.0"),
        ("minor", "1.3.0"),
        ("patch", "1.2.4"),
    ],
)
def test_bump_increments_one_part_and_resets_the_rest(part: str, expected: str) -> None:
    bumped = Version.parse("1.2.3-beta.1+build.5").bump(part)
    assert_same(bumped, Version.parse(expected))
    assert_same(str(bumped), expected, "pre-release and build metadata are dropped")


def test_bump_rejects_unknown_part() -> None:
    with pytest.raises(ValueError, match="huge"):
        Version(1, 2, 3).bump("huge")


def test_cli_bump_prints_new_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert_same(main(["bump", "minor", "1.2.3"]), 0)
    assert_same(capsys.readouterr().out, "1.3.0\n")


@pytest.mark.parametrize(
    ("a", "b", "symbol"),
    [
        ("1.0.0-rc.1", "1.0.0", "<"),
        ("1.0.0+linux", "1.0.0+mac", "="),
        ("2.0.0", "1.99.99", ">"),
    ],
)
def test_cli_compare_prints_symbol(
    capsys: pytest.CaptureFixture[str], a: str, b: str, symbol: str
) -> None:
    assert_same(main(["compare", a, b]), 0)
    assert_same(capsys.readouterr().out, symbol + "\n")


def test_cli_reports_invalid_version_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert_same(main(["compare", "1.0", "1.0.0"]), 2)
    captured = capsys.readouterr()
    assert_same(captured.out, "", "nothing goes to stdout on error")
    assert "invalid version '1.0'" in captured.err


def test_cli_rejects_unknown_part_as_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["bump", "huge", "1.2.3"])
    assert_same(excinfo.value.code, 2, "argparse exits with status 2 on usage errors")
    assert_same(capsys.readouterr().out, "")
