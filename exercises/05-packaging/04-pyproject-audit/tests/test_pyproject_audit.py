"""Tests for pyproject_audit.py: each rule, both flavours, the order and the command line."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from pygrade_graders.compare import assert_same

from pyproject_audit import Finding, audit, flavour, main

SOUND = """
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "acme-relnotes"
version = "1.0.0"
description = "Release notes from commit messages."
requires-python = ">=3.11"
license = "MIT"

[project.scripts]
relnotes = "relnotes.cli:main"
"""

POETRY = """
[build-system]
requires = ["poetry-core>=1.9"]
build-backend = "poetry.core.masonry.api"

[tool.poetry]
name = "acme-ledger"
version = "0.8.2"
description = "The ledger service's client."
license = "MIT"

[tool.poetry.dependencies]
python = ">=3.11"
httpx = "^0.27"

[tool.poetry.scripts]
ledger = "acme_ledger.cli:main"
"""


def sound() -> dict[str, Any]:
    """A PEP 621 file that breaks no rule."""
    return tomllib.loads(SOUND)


def poetry() -> dict[str, Any]:
    """A Poetry file that breaks no rule."""
    return tomllib.loads(POETRY)


def found(config: dict[str, Any]) -> list[tuple[str, str]]:
    return [(finding.code, finding.where) for finding in audit(config)]


def test_a_sound_file_has_no_findings() -> None:
    assert_same(audit(sound()), [])


def test_a_sound_poetry_file_has_no_findings() -> None:
    assert_same(audit(poetry()), [])


# --- flavour ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SOUND, "pep621"),
        (POETRY, "poetry"),
        ('[project]\nname = "x"\n[tool.poetry]\nname = "x"\n', "pep621"),
        ("[tool.poetry]\n", "poetry"),
        ("[tool.ruff]\nline-length = 100\n", "unknown"),
        ('[build-system]\nrequires = ["setuptools>=69"]\n', "unknown"),
        ("", "unknown"),
    ],
)
def test_flavour(text: str, expected: str) -> None:
    assert_same(flavour(tomllib.loads(text)), expected)


def test_a_file_without_project_metadata() -> None:
    config = sound()
    del config["project"]
    config["tool"] = {"ruff": {"line-length": 100}}

    assert_same(found(config), [("PA009", "project")])


# --- the build system ---------------------------------------------------------------------


def test_no_build_system() -> None:
    config = sound()
    del config["build-system"]

    assert_same(found(config), [("PA001", "build-system")])


def test_no_build_backend() -> None:
    config = sound()
    del config["build-system"]["build-backend"]

    assert_same(found(config), [("PA002", "build-system.build-backend")])


def test_no_build_backend_and_an_unbounded_requirement() -> None:
    config = sound()
    config["build-system"] = {"requires": ["setuptools"]}

    assert_same(found(config), [("PA002", "build-system.build-backend"), ("PA004", "build-system.requires[0]")])


@pytest.mark.parametrize(
    "requirement",
    ["setuptools>=61", "setuptools==69.5.1", "setuptools~=69.0", "setuptools >= 61", "setuptools>=61,<80", "Setuptools>=61"],
)
def test_a_build_requirement_with_a_lower_bound(requirement: str) -> None:
    config = sound()
    config["build-system"]["requires"] = [requirement]

    assert_same(found(config), [])


@pytest.mark.parametrize(
    "requirement",
    ["setuptools", "setuptools<80", "setuptools!=70.0", "setuptools>61", "setuptools>=", "setuptools>=x"],
)
def test_a_build_requirement_without_a_lower_bound(requirement: str) -> None:
    config = sound()
    config["build-system"]["requires"] = ["wheel>=0.40", requirement]

    assert_same(found(config), [("PA004", "build-system.requires[1]")])


def test_each_unbounded_requirement_is_a_finding_of_its_own() -> None:
    config = sound()
    config["build-system"]["requires"] = ["setuptools", "wheel>=0.40", "cython", "setuptools-scm>=8"]

    assert_same(found(config), [("PA004", "build-system.requires[0]"), ("PA004", "build-system.requires[2]")])


def test_a_build_requirement_that_is_not_text() -> None:
    config = sound()
    config["build-system"]["requires"] = ["setuptools>=77", 61]

    assert_same(found(config), [("PA004", "build-system.requires[1]")])


@pytest.mark.parametrize(
    ("backend", "requirement"),
    [
        ("setuptools.build_meta", "setuptools>=77"),
        ("hatchling.build", "hatchling>=1.21"),
        ("flit_core.buildapi", "flit_core>=3.9"),
        ("flit_core.buildapi", "Flit.Core>=3.9"),
        ("pdm.backend", "pdm-backend>=2.1"),
        ("poetry.core.masonry.api", "poetry_core>=1.9"),
        ("maturin", "wheel>=0.40"),
    ],
)
def test_the_backend_is_required(backend: str, requirement: str) -> None:
    config = sound()
    config["build-system"] = {"requires": ["wheel>=0.40", requirement], "build-backend": backend}

    assert_same(found(config), [])


@pytest.mark.parametrize(
    ("backend", "requirement"),
    [
        ("setuptools.build_meta", "setuptools-scm>=8"),
        ("hatchling.build", "setuptools>=77"),
        ("hatchling.build", "hatch>=1.9"),
        ("flit_core.buildapi", "flit>=3.9"),
        ("pdm.backend", "pdm>=2.1"),
    ],
)
def test_the_backend_is_not_required(backend: str, requirement: str) -> None:
    config = sound()
    config["build-system"] = {"requires": [requirement], "build-backend": backend}

    assert_same(found(config), [("PA003", "build-system.requires")])


def test_an_empty_requires_list_lacks_the_backend() -> None:
    config = sound()
    config["build-system"]["requires"] = []

    assert_same(found(config), [("PA003", "build-system.requires")])


# --- required fields ----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["name", "version", "description", "requires-python", "license"])
def test_a_missing_required_field(field: str) -> None:
    config = sound()
    del config["project"][field]

    assert_same(found(config), [("PA010", f"project.{field}")])


def test_every_missing_field_is_a_finding_sorted_by_place() -> None:
    config = sound()
    config["project"] = {"name": "acme-relnotes"}

    assert_same(
        found(config),
        [
            ("PA010", "project.description"),
            ("PA010", "project.license"),
            ("PA010", "project.requires-python"),
            ("PA010", "project.version"),
        ],
    )


def test_a_license_table_counts_as_a_license() -> None:
    config = sound()
    config["project"]["license"] = {"text": "Proprietary"}

    assert_same(found(config), [])


@pytest.mark.parametrize("name", ["acme", "a", "A1", "acme-relnotes", "acme_relnotes", "acme.relnotes", "Acme-2"])
def test_a_valid_distribution_name(name: str) -> None:
    config = sound()
    config["project"]["name"] = name

    assert_same(found(config), [])


@pytest.mark.parametrize("name", ["", "-acme", "acme-", "acme_", ".acme", "acme relnotes", "acme/relnotes", "acmé"])
def test_an_invalid_distribution_name(name: str) -> None:
    config = sound()
    config["project"]["name"] = name

    assert_same(found(config), [("PA011", "project.name")])


# --- requires-python ----------------------------------------------------------------------


@pytest.mark.parametrize("constraint", [">=3.11", ">3.10", ">= 3.11", ">=3.11, !=3.12.0", ">=3"])
def test_a_python_constraint_with_a_lower_bound_only(constraint: str) -> None:
    config = sound()
    config["project"]["requires-python"] = constraint

    assert_same(found(config), [])


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("*", ["PA012"]),
        ("!=3.9", ["PA012"]),
        ("<4", ["PA012", "PA013"]),
        ("<=3.13", ["PA012", "PA013"]),
        (">=3.11,<4", ["PA013"]),
        (">=3.11, <= 3.13", ["PA013"]),
        ("~=3.11", ["PA013"]),
        ("==3.12.*", ["PA013"]),
        ("==3.12", ["PA013"]),
        ("3.x", ["PA014"]),
        ("", ["PA014"]),
        (">=3.11,", ["PA014"]),
        ("=>3.11", ["PA014"]),
        ("python>=3.11", ["PA014"]),
        (">=3.11 || <3", ["PA014"]),
        ("<4,3.x", ["PA014"]),
    ],
)
def test_a_python_constraint_without_a_lower_bound_or_with_an_upper_one(
    constraint: str, expected: list[str]
) -> None:
    config = sound()
    config["project"]["requires-python"] = constraint

    assert_same(found(config), [(code, "project.requires-python") for code in expected])


# --- a dynamic version --------------------------------------------------------------------


def with_dynamic_version(backend: str = "setuptools.build_meta", requirement: str = "setuptools>=77") -> dict[str, Any]:
    config = sound()
    config["build-system"] = {"requires": [requirement], "build-backend": backend}
    del config["project"]["version"]
    config["project"]["dynamic"] = ["version"]
    return config


def test_a_dynamic_version_with_its_setuptools_source() -> None:
    config = with_dynamic_version()
    config["tool"] = {"setuptools": {"dynamic": {"version": {"attr": "relnotes.__version__"}}}}

    assert_same(found(config), [])


def test_a_dynamic_version_with_its_hatch_source() -> None:
    config = with_dynamic_version("hatchling.build", "hatchling>=1.21")
    config["tool"] = {"hatch": {"version": {"path": "src/relnotes/__init__.py"}}}

    assert_same(found(config), [])


def test_a_dynamic_version_without_its_source() -> None:
    config = with_dynamic_version()
    config["tool"] = {"setuptools": {"dynamic": {"readme": {"file": "README.md"}}}}

    assert_same(found(config), [("PA021", "project.dynamic")])


def test_a_dynamic_version_with_the_other_backends_source() -> None:
    config = with_dynamic_version("hatchling.build", "hatchling>=1.21")
    config["tool"] = {"setuptools": {"dynamic": {"version": {"attr": "relnotes.__version__"}}}}

    assert_same(found(config), [("PA021", "project.dynamic")])


@pytest.mark.parametrize(("backend", "requirement"), [("flit_core.buildapi", "flit_core>=3.9"), ("maturin", "maturin>=1.5")])
def test_a_dynamic_version_of_another_backend_is_not_checked(backend: str, requirement: str) -> None:
    assert_same(found(with_dynamic_version(backend, requirement)), [])


def test_a_version_both_static_and_dynamic() -> None:
    config = with_dynamic_version()
    config["project"]["version"] = "1.0.0"
    config["tool"] = {"setuptools": {"dynamic": {"version": {"attr": "relnotes.__version__"}}}}

    assert_same(found(config), [("PA020", "project.version")])


@pytest.mark.parametrize(
    ("tool", "where"),
    [
        ({"setuptools": {"dynamic": {"version": {"attr": "relnotes.__version__"}}}}, "tool.setuptools.dynamic.version"),
        ({"hatch": {"version": {"path": "src/relnotes/__init__.py"}}}, "tool.hatch.version"),
    ],
)
def test_a_version_source_for_a_static_version(tool: dict[str, Any], where: str) -> None:
    config = sound()
    config["tool"] = tool

    assert_same(found(config), [("PA022", where)])


def test_other_dynamic_fields_do_not_stand_for_the_version() -> None:
    config = sound()
    del config["project"]["version"]
    config["project"]["dynamic"] = ["readme", "dependencies"]

    assert_same(found(config), [("PA010", "project.version")])


def test_the_name_may_not_be_dynamic() -> None:
    config = sound()
    config["project"]["dynamic"] = ["name"]

    assert_same(found(config), [("PA023", "project.dynamic")])


# --- entry points -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["relnotes", "acme-deploy", "k8s", "a-b-c", "2fa"])
def test_a_valid_command_name(name: str) -> None:
    config = sound()
    config["project"]["scripts"] = {name: "relnotes.cli:main"}

    assert_same(found(config), [])


@pytest.mark.parametrize("name", ["Relnotes", "acme_deploy", "ACME", "-deploy", "deploy-", "a--b", "relNotes"])
def test_an_invalid_command_name(name: str) -> None:
    config = sound()
    config["project"]["scripts"] = {name: "relnotes.cli:main"}

    assert_same(found(config), [("PA030", f"project.scripts.{name}")])


@pytest.mark.parametrize("name", ["acme viewer", "acme.viewer", "acme+viewer"])
def test_a_command_name_that_is_no_bare_key_is_quoted(name: str) -> None:
    config = sound()
    config["project"]["gui-scripts"] = {name: "viewer.app:run"}

    assert_same(found(config), [("PA030", f'project.gui-scripts."{name}"')])


@pytest.mark.parametrize(
    "reference",
    ["relnotes.cli:main", "relnotes:main", "acme.tools.cli:App.run", " relnotes.cli:main ", "_private.cli:_main"],
)
def test_a_valid_command_reference(reference: str) -> None:
    config = sound()
    config["project"]["gui-scripts"] = {"relnotes-gui": reference}

    assert_same(found(config), [])


@pytest.mark.parametrize(
    "reference",
    [
        "relnotes.cli",
        "relnotes.cli:",
        ":main",
        "relnotes/cli.py:main",
        "relnotes.cli:main()",
        "relnotes..cli:main",
        "relnotes.cli:main:run",
        "2fa.cli:main",
        "relnotes.cli:main [extra]",
        "",
    ],
)
def test_an_invalid_command_reference(reference: str) -> None:
    config = sound()
    config["project"]["scripts"] = {"relnotes": reference}

    assert_same(found(config), [("PA031", "project.scripts.relnotes")])


def test_a_command_reference_that_is_not_text() -> None:
    config = sound()
    config["project"]["scripts"] = {"relnotes": {"reference": "relnotes.cli:main"}}

    assert_same(found(config), [("PA031", "project.scripts.relnotes")])


def test_a_bad_name_and_reference_are_two_findings() -> None:
    config = sound()
    config["project"]["scripts"] = {"Deploy": "deploy.py", "relnotes": "relnotes.cli:main"}

    assert_same(found(config), [("PA030", "project.scripts.Deploy"), ("PA031", "project.scripts.Deploy")])


def test_plugin_entry_points_may_name_a_module() -> None:
    config = sound()
    config["project"]["entry-points"] = {
        "acme.plugins": {"notes": "relnotes.plugin", "Slack_Notify": "relnotes.slack:Notifier"},
        "pytest11": {"relnotes": "relnotes.testing"},
    }

    assert_same(found(config), [])


def test_a_plugin_entry_point_with_a_bad_reference() -> None:
    config = sound()
    config["project"]["entry-points"] = {
        "acme.plugins": {"notes": "relnotes/plugin.py", "ok": "relnotes.plugin:Plugin", "slack": "relnotes:"},
        "pytest11": {"relnotes": "relnotes.testing:"},
    }

    assert_same(
        found(config),
        [
            ("PA031", 'project.entry-points."acme.plugins".notes'),
            ("PA031", 'project.entry-points."acme.plugins".slack'),
            ("PA031", "project.entry-points.pytest11.relnotes"),
        ],
    )


@pytest.mark.parametrize("group", ["console_scripts", "gui_scripts"])
def test_commands_declared_as_entry_points(group: str) -> None:
    config = sound()
    config["project"]["entry-points"] = {group: {"Relnotes": "relnotes/cli.py"}}

    assert_same(found(config), [("PA032", f"project.entry-points.{group}")])


# --- Poetry -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["name", "version", "description", "license"])
def test_a_poetry_file_missing_a_field(field: str) -> None:
    config = poetry()
    del config["tool"]["poetry"][field]

    assert_same(found(config), [("PA010", f"tool.poetry.{field}")])


def test_a_poetry_file_without_a_python_dependency() -> None:
    config = poetry()
    del config["tool"]["poetry"]["dependencies"]

    assert_same(found(config), [("PA010", "tool.poetry.dependencies.python")])


def test_an_empty_poetry_table() -> None:
    config = poetry()
    config["tool"]["poetry"] = {}

    assert_same(
        found(config),
        [
            ("PA010", "tool.poetry.dependencies.python"),
            ("PA010", "tool.poetry.description"),
            ("PA010", "tool.poetry.license"),
            ("PA010", "tool.poetry.name"),
            ("PA010", "tool.poetry.version"),
        ],
    )


def test_a_poetry_name_is_checked() -> None:
    config = poetry()
    config["tool"]["poetry"]["name"] = "acme ledger"

    assert_same(found(config), [("PA011", "tool.poetry.name")])


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^3.11", ["PA013"]),
        ("~3.11", ["PA013"]),
        ("3.11", ["PA013"]),
        (">=3.11,<4.0", ["PA013"]),
        ("*", ["PA012"]),
        (">=3.11", []),
        ("^3.x", ["PA014"]),
    ],
)
def test_a_poetry_python_constraint(constraint: str, expected: list[str]) -> None:
    config = poetry()
    config["tool"]["poetry"]["dependencies"]["python"] = constraint

    assert_same(found(config), [(code, "tool.poetry.dependencies.python") for code in expected])


def test_poetry_scripts_are_checked() -> None:
    config = poetry()
    config["tool"]["poetry"]["scripts"] = {"ledgerSync": "acme_ledger.sync:run", "ledger": "acme_ledger/cli.py"}

    assert_same(
        found(config), [("PA030", "tool.poetry.scripts.ledgerSync"), ("PA031", "tool.poetry.scripts.ledger")]
    )


@pytest.mark.parametrize(
    ("backend", "requirement"),
    [("setuptools.build_meta", "setuptools>=77"), ("hatchling.build", "hatchling>=1.21")],
)
def test_a_poetry_file_needs_the_poetry_backend(backend: str, requirement: str) -> None:
    config = poetry()
    config["build-system"] = {"requires": [requirement], "build-backend": backend}

    assert_same(found(config), [("PA005", "build-system.build-backend")])


def test_a_poetry_file_with_the_poetry_backend_but_no_poetry_core() -> None:
    config = poetry()
    config["build-system"]["requires"] = ["poetry>=1.8"]

    assert_same(found(config), [("PA003", "build-system.requires")])


def test_poetry_rules_do_not_apply_to_a_pep621_file() -> None:
    config = sound()
    config["tool"] = {"poetry": {"scripts": {"Bad_Name": "x"}}}
    config["build-system"] = {"requires": ["poetry-core>=2.0"], "build-backend": "poetry.core.masonry.api"}

    assert_same(found(config), [])


def test_pep621_rules_do_not_apply_to_a_poetry_file() -> None:
    config = poetry()
    config["tool"]["setuptools"] = {"dynamic": {"version": {"attr": "x.__version__"}}}

    assert_same(found(config), [])


# --- the order ----------------------------------------------------------------------------


def test_findings_are_sorted_by_code_then_place() -> None:
    config = tomllib.loads(
        """
        [build-system]
        requires = ["setuptools", "wheel"]
        build-backend = "hatchling.build"

        [project]
        name = "acme_"
        requires-python = "<4"
        dynamic = ["version", "name"]

        [project.scripts]
        Zeta = "zeta.cli:main"
        Alpha = "alpha"
        """
    )

    assert_same(
        audit(config),
        [
            Finding("PA003", "build-system.requires"),
            Finding("PA004", "build-system.requires[0]"),
            Finding("PA004", "build-system.requires[1]"),
            Finding("PA010", "project.description"),
            Finding("PA010", "project.license"),
            Finding("PA011", "project.name"),
            Finding("PA012", "project.requires-python"),
            Finding("PA013", "project.requires-python"),
            Finding("PA021", "project.dynamic"),
            Finding("PA023", "project.dynamic"),
            Finding("PA030", "project.scripts.Alpha"),
            Finding("PA030", "project.scripts.Zeta"),
            Finding("PA031", "project.scripts.Alpha"),
        ],
    )


def test_audit_leaves_its_input_alone() -> None:
    config = sound()
    config["project"]["scripts"] = {"Zeta": "z", "Alpha": "a"}
    before = tomllib.loads(SOUND)
    before["project"]["scripts"] = {"Zeta": "z", "Alpha": "a"}

    audit(config)

    assert_same(config, before)


# --- the command line ---------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_main_reports_a_sound_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "pyproject.toml", SOUND)

    assert_same(main([path]), 0)
    assert_same(capsys.readouterr().out, f"{path}: PEP 621 project, no findings\n")


def test_main_lists_the_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "pyproject.toml", POETRY.replace('python = ">=3.11"', 'python = "^3.11"'))

    assert_same(main([path]), 1)
    assert_same(
        capsys.readouterr().out,
        f"{path}: Poetry project, 1 finding\n"
        "  PA013 tool.poetry.dependencies.python: an upper bound on the Python version: "
        "resolvers then refuse newer Pythons\n",
    )


def test_main_counts_the_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "pyproject.toml", '[tool.black]\nline-length = 100\n')

    assert_same(main([path]), 1)
    assert_same(
        capsys.readouterr().out,
        f"{path}: no project metadata, 2 findings\n"
        "  PA001 build-system: no [build-system] table\n"
        "  PA009 project: no [project] table\n",
    )


def test_main_reports_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = write(tmp_path, "a.toml", SOUND)
    second = write(tmp_path, "b.toml", POETRY)

    assert_same(main([first, second]), 0)
    assert_same(
        capsys.readouterr().out, f"{first}: PEP 621 project, no findings\n{second}: Poetry project, no findings\n"
    )


def test_main_reports_a_missing_file_and_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "pyproject.toml", SOUND.replace('license = "MIT"\n', ""))
    missing = str(tmp_path / "missing.toml")

    assert_same(main([missing, path]), 2)
    out, err = capsys.readouterr()
    assert_same(out, f"{path}: PEP 621 project, 1 finding\n  PA010 project.license: required field is missing\n")
    assert_same(err, f"error: {missing}: cannot read (No such file or directory)\n")


def test_main_reports_a_file_that_is_not_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = write(tmp_path, "broken.toml", "[project]\nversion = 1.0.0\n")
    sound_path = write(tmp_path, "sound.toml", SOUND)

    assert_same(main([sound_path, broken]), 2)
    out, err = capsys.readouterr()
    assert_same(out, f"{sound_path}: PEP 621 project, no findings\n")
    assert err.startswith(f"error: {broken}: not valid TOML ("), err
    assert_same(err.count("\n"), 1, "one line on stderr")


def test_main_without_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert_same(main([]), 2)
    out, err = capsys.readouterr()
    assert_same(out, "")
    assert err.startswith("usage: "), err


def test_main_reads_the_process_arguments_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "pyproject.toml", SOUND)
    monkeypatch.setattr("sys.argv", ["pyproject_audit.py", path])

    assert_same(main(), 0)
    assert_same(capsys.readouterr().out, f"{path}: PEP 621 project, no findings\n")
