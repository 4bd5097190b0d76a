"""Tests for version_ranges.py: constraint forms, pre-releases, the best match and the command."""

from __future__ import annotations

import io

import pytest
from pygrade_graders.compare import assert_same

from version_ranges import Clause, Version, best_match, main, parse_constraint, satisfies


def clauses(text: str) -> list[str]:
    """The constraint's clauses as text, such as `['>=1.2.0', '<2.0.0']`."""
    return [f"{clause.op}{clause.version}" for clause in parse_constraint(text)]


def allowed(constraint: str, versions: str) -> list[str]:
    """The versions (space-separated) that satisfy the constraint's clauses, in order."""
    parsed = parse_constraint(constraint)
    return [text for text in versions.split() if satisfies(Version.parse(text), parsed)]


# --- what each form stands for ------------------------------------------------------------


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2.3", [">=1.2.3", "<2.0.0"]),
        ("^1.2", [">=1.2.0", "<2.0.0"]),
        ("^1", [">=1.0.0", "<2.0.0"]),
        ("^0.2.3", [">=0.2.3", "<0.3.0"]),
        ("^0.2", [">=0.2.0", "<0.3.0"]),
        ("^0.0.3", [">=0.0.3", "<0.0.4"]),
        ("^0.0", [">=0.0.0", "<0.1.0"]),
        ("^0", [">=0.0.0", "<1.0.0"]),
        ("^0.0.0", [">=0.0.0", "<0.0.1"]),
        ("^10.20.30", [">=10.20.30", "<11.0.0"]),
    ],
)
def test_caret_keeps_the_leftmost_non_zero_part(constraint: str, expected: list[str]) -> None:
    assert_same(clauses(constraint), expected)


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("~1.2.3", [">=1.2.3", "<1.3.0"]),
        ("~1.2", [">=1.2.0", "<1.3.0"]),
        ("~1", [">=1.0.0", "<2.0.0"]),
        ("~0.0.7", [">=0.0.7", "<0.1.0"]),
        ("~0", [">=0.0.0", "<1.0.0"]),
    ],
)
def test_tilde_keeps_the_minor_version(constraint: str, expected: list[str]) -> None:
    assert_same(clauses(constraint), expected)


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("1.4.*", [">=1.4.0", "<1.5.0"]),
        ("==1.4.*", [">=1.4.0", "<1.5.0"]),
        ("1.*", [">=1.0.0", "<2.0.0"]),
        ("0.*", [">=0.0.0", "<1.0.0"]),
        ("*", []),
    ],
)
def test_a_wildcard_is_a_range(constraint: str, expected: list[str]) -> None:
    assert_same(clauses(constraint), expected)


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("==1.4.0", ["==1.4.0"]),
        ("==1.4", ["==1.4.0"]),
        ("1.4.0", ["==1.4.0"]),
        ("3", ["==3.0.0"]),
        ("!=1.4.1", ["!=1.4.1"]),
        (">=1.0", [">=1.0.0"]),
        (">1", [">1.0.0"]),
        ("<=2.5", ["<=2.5.0"]),
        ("<2", ["<2.0.0"]),
        (">=1.0,<2", [">=1.0.0", "<2.0.0"]),
        (">=1.0, !=1.3.0, <2", [">=1.0.0", "!=1.3.0", "<2.0.0"]),
        ("  >= 1.2 ,<  1.8.1 ", [">=1.2.0", "<1.8.1"]),
        ("^1.2, !=1.4.0", [">=1.2.0", "<2.0.0", "!=1.4.0"]),
        ("==2.0.0-rc.1", ["==2.0.0-rc.1"]),
        ("^2.0.0-beta.2", [">=2.0.0-beta.2", "<3.0.0"]),
        ("~1.4.0-rc.1", [">=1.4.0-rc.1", "<1.5.0"]),
    ],
)
def test_comparisons_pad_a_short_version_with_zeros(constraint: str, expected: list[str]) -> None:
    assert_same(clauses(constraint), expected)


def test_the_clauses_are_clause_objects_of_versions() -> None:
    assert_same(
        parse_constraint("^1.2"),
        [Clause(">=", Version((1, 2, 0))), Clause("<", Version((2, 0, 0)))],
    )


# --- malformed constraints ----------------------------------------------------------------


@pytest.mark.parametrize(
    "constraint",
    [
        "",
        "   ",
        ">=1.0,",
        ",<2",
        ">=1.0,,<2",
        "=>1.0",
        "=1.0",
        "~=1.4",
        "> =1.0",
        "^",
        "==",
        "1.x",
        "v1.2",
        "1.2.3.4",
        "1..2",
        "1.2.",
        "-1.0",
        "1.*.3",
        "1*",
        "1.2.3.*",
        ">=1.*",
        "^1.*",
        "!=1.4.*",
        "1.2-rc.1",
        "1.2.3-",
        "1.2.3-rc..1",
        "1.4.*-rc.1",
        ">=1.0 <2",
        "latest",
    ],
)
def test_a_malformed_constraint_is_a_value_error_naming_it(constraint: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_constraint(constraint)

    message = str(caught.value)
    assert message.startswith(f"invalid constraint {constraint!r}"), (
        f"the message should start with invalid constraint {constraint!r}, got {message!r}"
    )


def test_best_match_rejects_a_malformed_constraint() -> None:
    with pytest.raises(ValueError, match="invalid constraint"):
        best_match(">=1.x", ["1.0.0"])


def test_best_match_rejects_a_malformed_release() -> None:
    with pytest.raises(ValueError):
        best_match(">=1.0", ["1.0.0", "1.1"])


# --- satisfies: each comparison at its boundary -------------------------------------------

VERSIONS = "1.3.9 1.4.0-rc.1 1.4.0 1.4.1 1.5.0"


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("==1.4.0", ["1.4.0"]),
        ("!=1.4.0", ["1.3.9", "1.4.0-rc.1", "1.4.1", "1.5.0"]),
        (">=1.4.0", ["1.4.0", "1.4.1", "1.5.0"]),
        (">1.4.0", ["1.4.1", "1.5.0"]),
        ("<=1.4.0", ["1.3.9", "1.4.0-rc.1", "1.4.0"]),
        ("<1.4.1", ["1.3.9", "1.4.0-rc.1", "1.4.0"]),
        (">=1.4.0-rc.1", ["1.4.0-rc.1", "1.4.0", "1.4.1", "1.5.0"]),
        (">1.4.0-rc.1", ["1.4.0", "1.4.1", "1.5.0"]),
        ("<=1.4.0-rc.1", ["1.3.9", "1.4.0-rc.1"]),
        ("<1.4.0-rc.1", ["1.3.9"]),
        ("==1.4.0-rc.1", ["1.4.0-rc.1"]),
        (">=1.4.0,<=1.4.1", ["1.4.0", "1.4.1"]),
        ("*", VERSIONS.split()),
    ],
)
def test_each_comparison_at_its_boundary(constraint: str, expected: list[str]) -> None:
    assert_same(allowed(constraint, VERSIONS), expected)


def test_below_a_release_keeps_out_its_own_pre_releases() -> None:
    assert_same(allowed("<1.4.0", VERSIONS), ["1.3.9"])
    assert_same(allowed("<2.0.0", "1.9.9 2.0.0-alpha 2.0.0-rc.1 2.0.0"), ["1.9.9"])


def test_below_a_pre_release_compares_pre_releases() -> None:
    assert_same(allowed("<2.0.0-rc.2", "2.0.0-rc.1 2.0.0-rc.2 2.0.0-beta"), ["2.0.0-rc.1", "2.0.0-beta"])


def test_satisfies_needs_every_clause() -> None:
    parsed = parse_constraint(">=1.0,!=1.2.0,<2")

    assert_same(satisfies(Version.parse("1.1.0"), parsed), True)
    assert_same(satisfies(Version.parse("1.2.0"), parsed), False)
    assert_same(satisfies(Version.parse("0.9.0"), parsed), False)
    assert_same(satisfies(Version.parse("2.0.0"), parsed), False)


def test_satisfies_takes_any_iterable_of_clauses() -> None:
    assert satisfies(Version.parse("1.5.0"), iter(parse_constraint("^1.2")))
    assert satisfies(Version.parse("1.5.0"), ())


# --- best_match ---------------------------------------------------------------------------

RELEASES = [
    "0.9.0",
    "1.0.0",
    "1.2.0",
    "1.2.7",
    "1.3.0",
    "1.4.0",
    "1.4.2",
    "1.10.0",
    "2.0.0-rc.1",
    "2.0.0",
    "2.1.0",
    "3.0.0-alpha.1",
]


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2", "1.10.0"),
        ("~1.2", "1.2.7"),
        ("~1.2.3", "1.2.7"),
        ("~1", "1.10.0"),
        (">=1.0,<2", "1.10.0"),
        (">=1.0,<1.4", "1.3.0"),
        ("==1.4.0", "1.4.0"),
        ("==1.4", "1.4.0"),
        ("1.4.*", "1.4.2"),
        ("1.*", "1.10.0"),
        ("0.*", "0.9.0"),
        ("^0.9", "0.9.0"),
        ("*", "2.1.0"),
        (">=2", "2.1.0"),
        ("<=1.4.2", "1.4.2"),
        ("^1.2, !=1.10.0", "1.4.2"),
        (">1.0,<1.2.7", "1.2.0"),
    ],
)
def test_best_match_picks_the_highest_satisfying_release(constraint: str, expected: str) -> None:
    assert_same(best_match(constraint, RELEASES), expected)


@pytest.mark.parametrize("constraint", ["^4", "~1.5", "1.5.*", "==1.4.1", "<0.9", ">2.1.0", "^0.0"])
def test_best_match_returns_none_when_nothing_satisfies(constraint: str) -> None:
    assert_same(best_match(constraint, RELEASES), None)


def test_best_match_of_no_releases_is_none() -> None:
    assert_same(best_match("*", []), None)


def test_numbers_compare_as_numbers_not_text() -> None:
    assert_same(best_match("^1", ["1.9.0", "1.10.0", "1.2.0"]), "1.10.0")
    assert_same(best_match("~1.9", ["1.9.9", "1.9.10", "1.9.2"]), "1.9.10")


def test_the_order_of_the_releases_does_not_matter() -> None:
    assert_same(best_match("^1.2", list(reversed(RELEASES))), "1.10.0")
    assert_same(best_match("^1.2", iter(sorted(RELEASES))), "1.10.0")


def test_the_match_is_returned_as_written() -> None:
    assert_same(best_match("^1", ["1.02.0", "1.1.0"]), "1.02.0")


def test_of_equal_versions_the_first_listed_is_returned() -> None:
    assert_same(best_match("^1", ["1.0.0", "1.02.0", "1.2.0"]), "1.02.0")
    assert_same(best_match("^1", ["1.2.0", "1.02.0"]), "1.2.0")


# --- pre-releases -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        (">=1.0", "2.1.0"),
        (">=3.0.0-alpha.1", "3.0.0-alpha.1"),
        ("^3.0.0-alpha.0", "3.0.0-alpha.1"),
        ("^2.0.0-rc.1", "2.1.0"),
        ("==2.0.0-rc.1", "2.0.0-rc.1"),
        ("<2.0.0", "1.10.0"),
        ("<=2.0.0", "2.0.0"),
        ("^2.0.0-rc.0,<2.0.0-rc.5", "2.0.0-rc.1"),
    ],
)
def test_pre_releases_only_when_the_constraint_names_one(constraint: str, expected: str) -> None:
    assert_same(best_match(constraint, RELEASES), expected)


def test_a_pre_release_is_not_picked_even_if_it_is_the_only_candidate() -> None:
    assert_same(best_match(">=3.0.0", ["3.0.0-alpha.1", "3.1.0-rc.1"]), None)
    assert_same(best_match("^3", ["3.0.0-alpha.1", "3.1.0-rc.1"]), None)
    assert_same(best_match("3.*", ["3.0.0-alpha.1", "3.0.0"]), "3.0.0")


def test_a_named_pre_release_lets_any_pre_release_in() -> None:
    assert_same(best_match(">=1.0.0-rc.1", ["1.0.0-rc.1", "1.1.0-beta.3", "1.0.5"]), "1.1.0-beta.3")


def test_a_named_pre_release_still_keeps_out_those_of_the_upper_bound() -> None:
    assert_same(best_match("^1.0.0-rc.1", ["1.9.0", "2.0.0-alpha.1", "2.0.0-rc.1"]), "1.9.0")
    assert_same(best_match("~1.2.0-beta.1", ["1.2.0-beta.1", "1.3.0-rc.1"]), "1.2.0-beta.1")


@pytest.mark.parametrize(
    ("releases", "expected"),
    [
        (["1.0.0-rc.2", "1.0.0-rc.10", "1.0.0-rc.9"], "1.0.0-rc.10"),
        (["1.0.0-rc.9", "1.0.0-rc.x", "1.0.0-rc.10"], "1.0.0-rc.x"),
        (["1.0.0-beta", "1.0.0-alpha.5", "1.0.0-alpha"], "1.0.0-beta"),
        (["1.0.0-alpha.1", "1.0.0-alpha"], "1.0.0-alpha.1"),
        (["1.0.0-rc.1.1", "1.0.0-rc.1"], "1.0.0-rc.1.1"),
        (["1.0.0-rc.1", "1.0.0", "0.9.9"], "1.0.0"),
        (["0.9.9", "1.0.0-rc.1"], "1.0.0-rc.1"),
    ],
)
def test_pre_releases_are_ordered_as_semver_orders_them(releases: list[str], expected: str) -> None:
    assert_same(best_match(">=0.0.0-a", releases), expected)


# --- the command --------------------------------------------------------------------------


def run(
    args: list[str] | None, stdin: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


INDEX = "# releases of acme-http\n1.2.0\n1.4.2\n\n1.10.0   # latest 1.x\n2.0.0-rc.1\n"


def test_main_prints_the_best_release(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert_same(run(["^1.2"], INDEX, monkeypatch, capsys), (0, "1.10.0\n", ""))


def test_main_reports_when_nothing_satisfies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_same(run(["^3.0"], INDEX, monkeypatch, capsys), (1, "no release satisfies '^3.0'\n", ""))


def test_main_with_no_releases(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert_same(run(["*"], "", monkeypatch, capsys), (1, "no release satisfies '*'\n", ""))


def test_main_reports_a_malformed_constraint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["=>1.0"], INDEX, monkeypatch, capsys)

    assert_same((status, out), (2, ""))
    assert err.startswith("error: invalid constraint '=>1.0'"), err
    assert_same(err.count("\n"), 1, "one line on stderr")


def test_main_reports_a_malformed_release_with_its_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["^1"], "1.0.0\n\n1.1  # short\n", monkeypatch, capsys)

    assert_same((status, out), (2, ""))
    assert err.startswith("error: line 3: "), err
    assert_same(err.count("\n"), 1, "one line on stderr")


@pytest.mark.parametrize("args", [[], ["^1", "^2"]])
def test_main_wants_exactly_one_constraint(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(args, INDEX, monkeypatch, capsys)

    assert_same((status, out), (2, ""))
    assert err.startswith("usage: "), err


def test_main_reads_the_process_arguments_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["version_ranges.py", "~1.4"])

    assert_same(run(None, INDEX, monkeypatch, capsys), (0, "1.4.2\n", ""))
