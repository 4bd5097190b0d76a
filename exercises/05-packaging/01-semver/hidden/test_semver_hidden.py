"""Hidden tests for semver: inputs the visible tests never use."""

import pytest
from pygrade_graders.compare import assert_same

from semver import Version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.0.0+build-5", Version(1, 0, 0, (), ("build-5",))),
        ("1.0.0-rc-1+exp-sha.5", Version(1, 0, 0, ("rc-1",), ("exp-sha", "5"))),
    ],
    ids=["build-only", "prerelease-and-build"],
)
def test_a_hyphen_after_the_plus_belongs_to_the_build(text: str, expected: Version) -> None:
    # Build metadata may hold hyphens: "+" ends the pre-release, whatever follows it.
    assert_same(Version.parse(text), expected)


def test_numeric_identifiers_sort_before_words_at_any_position() -> None:
    texts = ["1.0.0-a", "1.0.0-10", "1.0.0-2", "1.0.0-1.a", "1.0.0-1.1"]
    result = sorted(Version.parse(text) for text in texts)
    expected = ["1.0.0-1.1", "1.0.0-1.a", "1.0.0-2", "1.0.0-10", "1.0.0-a"]
    assert_same([str(version) for version in result], expected)
