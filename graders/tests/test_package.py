"""The packaging harness's own rules: the build system it accepts and the metadata it compares."""

from pathlib import Path

import pytest

from pygrade_graders.package import Failed, Spec, check_build_system, check_metadata, normalise


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return tmp_path


SETUPTOOLS = '[build-system]\nrequires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"\n'


def test_names_compare_as_packaging_compares_them() -> None:
    assert normalise("Acme_Relnotes") == normalise("acme.relnotes") == "acme-relnotes"


def test_setuptools_alone_is_accepted(tmp_path: Path) -> None:
    check_build_system(write(tmp_path, SETUPTOOLS))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[project]\nname = 'x'\n", "no [build-system]"),
        ('[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n', "use 'setuptools.build_meta'"),
        ('[build-system]\nrequires = ["setuptools", "wheel>=0.40"]\nbuild-backend = "setuptools.build_meta"\n', "offline"),
        ("[build-system\n", "not valid TOML"),
    ],
)
def test_other_build_systems_are_refused_with_what_to_do(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(Failed, match=says.replace("[", r"\[")):
        check_build_system(write(tmp_path, text))


def test_a_missing_pyproject_is_a_failure(tmp_path: Path) -> None:
    with pytest.raises(Failed, match="no pyproject.toml"):
        check_build_system(tmp_path)


def test_metadata_is_compared_field_by_field() -> None:
    spec = Spec(project=".", name="acme-relnotes", metadata={"Version": "1.0.0", "Summary": "*", "License-Expression": "MIT"})
    found = {"Name": "acme_relnotes", "Version": "0.1.0", "Summary": "Notes."}
    results = dict(check_metadata(found, spec))
    assert results["the distribution is named acme-relnotes"] is None
    assert results["metadata Version = 1.0.0"] == "Version is '0.1.0', not '1.0.0'"
    assert results["metadata Summary"] is None
    assert results["metadata License-Expression = MIT"] == "the metadata has no License-Expression"
