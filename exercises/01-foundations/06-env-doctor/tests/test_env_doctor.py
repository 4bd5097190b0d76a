"""Tests for doctor.py. Every fact comes from the test: Facts built here, project folders and
PATH folders made under tmp_path, and fixed clocks, so the results are the same on any machine."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pygrade_graders.compare import assert_same

from doctor import (
    Facts,
    Finding,
    check_path,
    check_project,
    check_pyenv,
    check_python,
    check_venv,
    diagnose,
    find_pythons,
    satisfies,
)

INFO, WARNING, ERROR = logging.INFO, logging.WARNING, logging.ERROR
NOON_UTC = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


def make_facts(
    version: tuple[int, int, int] = (3, 11, 7),
    *,
    prefix: str = "/usr",
    base_prefix: str = "/usr",
    executable: str = "/usr/bin/python3",
    environ: dict[str, str] | None = None,
) -> Facts:
    return Facts(version, prefix, base_prefix, executable, environ if environ is not None else {})


def write(root: Path, files: dict[str, str]) -> Path:
    """Make the files (paths relative to root, with their text) and return root."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def executable(path: Path, mode: int = 0o755) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(mode)
    return path


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[tuple[int, str]]:
        return [(record.levelno, record.getMessage()) for record in self.records]


@contextmanager
def attach(name: str) -> Iterator[tuple[logging.Logger, Collect]]:
    """The logger called ``name``, collecting its records for the block and then as it was."""
    logger = logging.getLogger(name)
    handler = Collect()
    old_level, old_propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield logger, handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, Collect]]:
    with attach("test.env_doctor") as attached:
        yield attached


# --- Facts.from_running -----------------------------------------------------------


def test_facts_from_running_reads_sys_and_os() -> None:
    facts = Facts.from_running()

    assert_same(facts.version_info, tuple(sys.version_info[:3]))
    assert_same(facts.prefix, sys.prefix)
    assert_same(facts.base_prefix, sys.base_prefix)
    assert_same(facts.executable, sys.executable)
    assert_same(facts.environ, dict(os.environ), "a copy of os.environ, as a dict")


# --- satisfies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        ">=3.10",
        ">=3.11.7",
        "<4",
        ">3.11",
        ">3.11.6",
        "<=3.11.7",
        "<3.12",
        "==3.11.7",
        "!=3.11.6",
        "==3.11.*",
        "==3.*",
        "==3.11.7.*",
        "!=3.10.*",
        "~=3.10",
        "~=3.11.2",
        ">=3.9,<3.12",
        " >= 3.9 , < 3.12 ",
        ">=3.8, !=3.11.0, <4",
    ],
)
def test_satisfies_accepts(spec: str) -> None:
    assert_same(satisfies((3, 11, 7), spec), True, f"3.11.7 meets {spec!r}")


@pytest.mark.parametrize(
    "spec",
    [
        ">=3.12",
        ">=3.11.8",
        "<3.11",
        "<3.11.7",
        ">3.11.7",
        "<=3.11.6",
        "<=3.11",
        "==3.11",
        "==3.11.6",
        "!=3.11.7",
        "!=3.11.*",
        "==3.10.*",
        "==3.1.*",
        "~=3.12",
        "~=3.11.8",
        "~=3.10.2",
        ">=3.9,<3.11",
        ">=3.12,<4",
    ],
)
def test_satisfies_refuses(spec: str) -> None:
    assert_same(satisfies((3, 11, 7), spec), False, f"3.11.7 does not meet {spec!r}")


def test_satisfies_compares_versions_as_numbers() -> None:
    assert_same(satisfies((3, 9, 18), ">=3.10"), False)
    assert_same(satisfies((3, 10, 0), ">=3.9"), True)
    assert_same(satisfies((3, 10, 0), "==3.10"), True)
    assert_same(satisfies((4, 0, 0), "~=3.10"), False)
    assert_same(satisfies((3, 12, 0), "~=3.10"), True)
    assert_same(satisfies((3, 10, 0), "~=3.10"), True)
    assert_same(satisfies((3, 10, 1), "~=3.10.1"), True)
    assert_same(satisfies((4, 0, 0), ">=4"), True)
    assert_same(satisfies((3, 0, 0), "==3"), True)
    assert_same(satisfies((3, 0, 0), "<=3"), True)


@pytest.mark.parametrize(
    "spec",
    ["", "3.10", ">=3.10,", "~=3", ">=3.10.*", "~=3.10.*", "=>3.10", ">=3.10.0.1", "~3.10", ">=3.a", "===3.11", ">=4, nonsense"],
)
def test_satisfies_raises_for_what_it_cannot_read(spec: str) -> None:
    with pytest.raises(ValueError):
        satisfies((3, 11, 7), spec)


# --- check_python ---------------------------------------------------------------------


def pyproject(requires: str) -> dict[str, str]:
    return {"pyproject.toml": f'[project]\nname = "billing"\nrequires-python = {requires}\n'}


@pytest.mark.parametrize(
    ("requires", "expected"),
    [
        ('">=3.10"', Finding("python", INFO, "Python 3.11.7 meets requires-python >=3.10")),
        ('">=3.12"', Finding("python", ERROR, "Python 3.11.7 does not meet requires-python >=3.12")),
        ('">=3.9, <3.11"', Finding("python", ERROR, "Python 3.11.7 does not meet requires-python >=3.9, <3.11")),
        ('"~3.10"', Finding("python", WARNING, "Python 3.11.7; cannot read requires-python '~3.10'")),
        ("310", Finding("python", WARNING, "Python 3.11.7; cannot read requires-python 310")),
    ],
)
def test_check_python_against_requires_python(tmp_path: Path, requires: str, expected: Finding) -> None:
    write(tmp_path, pyproject(requires))

    assert_same(check_python(make_facts(), tmp_path), [expected])


@pytest.mark.parametrize(
    "files",
    [{}, {"pyproject.toml": '[project]\nname = "billing"\n'}, {"pyproject.toml": "[tool.ruff]\nline-length = 99\n"}],
    ids=["no-pyproject", "no-requires-python", "no-project-table"],
)
def test_check_python_without_requires_python(tmp_path: Path, files: dict[str, str]) -> None:
    write(tmp_path, files)

    assert_same(
        check_python(make_facts((3, 12, 1)), tmp_path),
        [Finding("python", INFO, "Python 3.12.1; the project states no requires-python")],
    )


def test_check_python_reports_a_pyproject_that_is_not_toml(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[project\nname = 'billing'\n"})

    [finding] = check_python(make_facts(), tmp_path)

    assert_same((finding.check, finding.level), ("python", ERROR))
    assert finding.message.startswith("pyproject.toml is not valid TOML: "), finding.message


# --- check_venv -------------------------------------------------------------------------


def test_outside_a_virtual_environment_pip_installs_into_the_base(tmp_path: Path) -> None:
    assert_same(
        check_venv(make_facts(prefix="/usr", base_prefix="/usr")),
        [Finding("venv", WARNING, "not in a virtual environment: pip would install into /usr")],
    )


@pytest.mark.weight(2)
def test_inside_a_virtual_environment_pyvenv_cfg_is_read(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    write(venv, {"pyvenv.cfg": "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n"})

    assert_same(
        check_venv(make_facts(prefix=str(venv), base_prefix="/usr")),
        [Finding("venv", INFO, f"in the virtual environment {venv}, made from /usr/bin (Python 3.11.7)")],
    )


@pytest.mark.weight(2)
def test_a_virtual_environment_made_by_another_python_must_be_recreated(tmp_path: Path) -> None:
    venv = tmp_path / "env"
    write(venv, {"pyvenv.cfg": "Home=/opt/python/bin\nVERSION= 3.11.4 \nprompt = billing\n"})

    assert_same(
        check_venv(make_facts(prefix=str(venv), base_prefix="/opt/python")),
        [
            Finding("venv", INFO, f"in the virtual environment {venv}, made from /opt/python/bin (Python 3.11.4)"),
            Finding("venv", WARNING, "pyvenv.cfg says Python 3.11.4 but 3.11.7 runs: recreate the environment"),
        ],
    )


def test_a_pyvenv_cfg_without_home_or_version(tmp_path: Path) -> None:
    venv = tmp_path / "env"
    write(venv, {"pyvenv.cfg": "include-system-site-packages = false\n"})

    assert_same(
        check_venv(make_facts(prefix=str(venv), base_prefix="/usr")),
        [Finding("venv", INFO, f"in the virtual environment {venv}, made from an unknown folder (Python unknown)")],
    )


def test_a_virtual_environment_without_pyvenv_cfg(tmp_path: Path) -> None:
    assert_same(
        check_venv(make_facts(prefix=str(tmp_path), base_prefix="/usr")),
        [Finding("venv", WARNING, f"{tmp_path} has no pyvenv.cfg: not made by venv")],
    )


@pytest.mark.weight(2)
def test_an_activated_environment_that_is_not_the_one_running(tmp_path: Path) -> None:
    other = str(tmp_path / "other-venv")

    assert_same(
        check_venv(make_facts(environ={"VIRTUAL_ENV": other})),
        [
            Finding("venv", WARNING, "not in a virtual environment: pip would install into /usr"),
            Finding("venv", WARNING, f"VIRTUAL_ENV is {other} but this interpreter runs from /usr"),
        ],
    )


@pytest.mark.parametrize("activated", ["{venv}", "{venv}/", ""])
def test_an_activated_environment_that_is_the_one_running(tmp_path: Path, activated: str) -> None:
    venv = tmp_path / ".venv"
    write(venv, {"pyvenv.cfg": "home = /usr/bin\nversion = 3.11.7\n"})
    facts = make_facts(prefix=str(venv), environ={"VIRTUAL_ENV": activated.format(venv=venv)})

    assert_same([finding.level for finding in check_venv(facts)], [INFO])


# --- find_pythons -----------------------------------------------------------------------


@pytest.mark.weight(2)
def test_find_pythons_in_path_order_python3_first_then_by_version(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for name in ["python3.12", "python3.10", "python3", "python3.9", "python3-config", "python", "python3.11-config", "python3.x", "ipython3"]:
        executable(first / name)
    executable(first / "python3.13", 0o644)  # not executable
    (first / "python3.14").mkdir()  # a folder, not a program
    executable(second / "python3")

    found = find_pythons(f"{first}{os.pathsep}{second}")

    assert_same(
        found,
        [f"{first}/python3", f"{first}/python3.9", f"{first}/python3.10", f"{first}/python3.12", f"{second}/python3"],
    )


def test_find_pythons_skips_empty_missing_repeated_and_file_entries(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    executable(first / "python3.11")
    executable(second / "python3")
    not_a_folder = executable(tmp_path / "python3")
    path = os.pathsep.join(["", str(tmp_path / "missing"), str(second), str(not_a_folder), str(first), str(second), ""])

    assert_same(find_pythons(path), [f"{second}/python3", f"{first}/python3.11"])


def test_find_pythons_follows_symbolic_links(tmp_path: Path) -> None:
    real = executable(tmp_path / "real" / "python3.11")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python3").symlink_to(real)
    (tmp_path / "bin" / "python3.8").symlink_to(tmp_path / "nowhere")

    assert_same(find_pythons(str(tmp_path / "bin")), [f"{tmp_path}/bin/python3"])


def test_find_pythons_on_an_empty_path() -> None:
    assert_same(find_pythons(""), [])


# --- check_path ----------------------------------------------------------------------------


def test_check_path_lists_the_pythons_a_shell_finds(tmp_path: Path) -> None:
    bin_folder = tmp_path / "bin"
    executable(bin_folder / "python3")
    executable(bin_folder / "python3.11")
    facts = make_facts(executable=f"{bin_folder}/python3.11", environ={"PATH": str(bin_folder)})

    assert_same(
        check_path(facts),
        [Finding("path", INFO, f"on PATH: {bin_folder}/python3, {bin_folder}/python3.11")],
    )


@pytest.mark.weight(2)
def test_check_path_warns_when_python3_is_not_this_interpreter(tmp_path: Path) -> None:
    venv_bin, system = tmp_path / "venv" / "bin", tmp_path / "usr" / "bin"
    executable(system / "python3")
    executable(venv_bin / "python3.12")
    executable(venv_bin / "python")
    facts = make_facts(executable=f"{venv_bin}/python", environ={"PATH": f"{venv_bin}{os.pathsep}{system}"})

    assert_same(
        check_path(facts),
        [
            Finding("path", INFO, f"on PATH: {venv_bin}/python3.12, {system}/python3"),
            Finding("path", WARNING, f"python3 on PATH is {system}/python3, but this interpreter is {venv_bin}/python"),
        ],
    )


def test_check_path_without_a_plain_python3_does_not_compare(tmp_path: Path) -> None:
    executable(tmp_path / "python3.12")
    facts = make_facts(executable="/elsewhere/python", environ={"PATH": str(tmp_path)})

    assert_same(check_path(facts), [Finding("path", INFO, f"on PATH: {tmp_path}/python3.12")])


@pytest.mark.parametrize("environ", [{}, {"PATH": ""}, {"PATH": "/no/such/folder"}])
def test_check_path_without_any_python(environ: dict[str, str]) -> None:
    assert_same(check_path(make_facts(environ=environ)), [Finding("path", WARNING, "no python3 on PATH")])


# --- check_pyenv ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pinned", "expected"),
    [
        ("3.11\n", Finding("pyenv", INFO, "pyenv pins 3.11 (.python-version) and Python 3.11.7 runs")),
        ("3.11.7", Finding("pyenv", INFO, "pyenv pins 3.11.7 (.python-version) and Python 3.11.7 runs")),
        ("3\n", Finding("pyenv", INFO, "pyenv pins 3 (.python-version) and Python 3.11.7 runs")),
        ("3.11.6\n", Finding("pyenv", WARNING, "pyenv pins 3.11.6 (.python-version) but Python 3.11.7 runs")),
        ("3.1\n", Finding("pyenv", WARNING, "pyenv pins 3.1 (.python-version) but Python 3.11.7 runs")),
        ("# team default\n\n  3.12.1  \n3.11\n", Finding("pyenv", WARNING, "pyenv pins 3.12.1 (.python-version) but Python 3.11.7 runs")),
        ("system\n", Finding("pyenv", INFO, "pyenv uses the system Python (.python-version)")),
        ("pypy3.10-7.3.12\n", Finding("pyenv", WARNING, "cannot read the pyenv version 'pypy3.10-7.3.12' (.python-version)")),
    ],
)
def test_check_pyenv_reads_python_version(tmp_path: Path, pinned: str, expected: Finding) -> None:
    write(tmp_path, {".python-version": pinned})

    assert_same(check_pyenv(make_facts(), tmp_path), [expected])


@pytest.mark.parametrize("files", [{}, {".python-version": "\n# nothing pinned\n   \n"}])
def test_check_pyenv_without_a_pin_finds_nothing(tmp_path: Path, files: dict[str, str]) -> None:
    write(tmp_path, files)

    assert_same(check_pyenv(make_facts(environ={"PYENV_VERSION": " "}), tmp_path), [])


@pytest.mark.weight(2)
def test_pyenv_version_in_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    write(tmp_path, {".python-version": "3.11\n"})
    facts = make_facts(environ={"PYENV_VERSION": "3.12"})

    assert_same(
        check_pyenv(facts, tmp_path),
        [Finding("pyenv", WARNING, "pyenv pins 3.12 (PYENV_VERSION) but Python 3.11.7 runs")],
    )


def test_an_empty_pyenv_version_leaves_the_file_in_charge(tmp_path: Path) -> None:
    write(tmp_path, {".python-version": "3.11\n"})
    facts = make_facts(environ={"PYENV_VERSION": ""})

    assert_same(
        check_pyenv(facts, tmp_path),
        [Finding("pyenv", INFO, "pyenv pins 3.11 (.python-version) and Python 3.11.7 runs")],
    )


# --- check_project ----------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_a_src_layout_project(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "billing"\n',
            "src/billing/__init__.py": "",
            "src/billing_cli/__init__.py": "",
            "src/notes/readme.txt": "",
            "tests/conftest.py": "",
            "tests/test_invoices.py": "",
            "tests/unit/test_rounding.py": "",
            "tests/helpers.py": "",
        },
    )

    assert_same(
        check_project(tmp_path),
        [
            Finding("project", INFO, "src layout: billing, billing_cli"),
            Finding("project", INFO, "test files in tests: 2"),
        ],
    )


@pytest.mark.weight(2)
def test_a_flat_layout_project(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "billing"\n',
            "reports/__init__.py": "",
            "billing/__init__.py": "",
            "billing/core.py": "",
            "docs/index.md": "",
            ".venv/__init__.py": "",
            "tests/__init__.py": "",
            "tests/test_core.py": "",
            "src/readme.txt": "",
        },
    )

    assert_same(
        check_project(tmp_path),
        [
            Finding("project", INFO, "flat layout: billing, reports"),
            Finding("project", INFO, "test files in tests: 1"),
        ],
    )


def test_src_layout_wins_over_top_level_packages(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "", "src/app/__init__.py": "", "scripts/__init__.py": "", "tests/test_app.py": ""})

    assert_same(check_project(tmp_path)[0], Finding("project", INFO, "src layout: app"))


def test_an_empty_folder_is_no_project(tmp_path: Path) -> None:
    assert_same(
        check_project(tmp_path),
        [
            Finding("project", ERROR, "no pyproject.toml"),
            Finding("project", WARNING, "no package: neither src/NAME/__init__.py nor NAME/__init__.py"),
            Finding("project", WARNING, "no tests folder"),
        ],
    )


def test_a_tests_folder_without_test_files(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "", "app/__init__.py": "", "tests/helpers.py": "", "tests/test_data/input.json": ""})

    assert_same(
        check_project(tmp_path),
        [
            Finding("project", INFO, "flat layout: app"),
            Finding("project", WARNING, "tests folder has no test_*.py files"),
        ],
    )


# --- diagnose ----------------------------------------------------------------------------------


def healthy_project(root: Path) -> tuple[Facts, Path]:
    project = write(
        root / "billing",
        {
            "pyproject.toml": '[project]\nname = "billing"\nrequires-python = ">=3.12"\n',
            ".python-version": "3.12\n",
            "src/billing/__init__.py": "",
            "tests/test_billing.py": "",
        },
    )
    venv = root / "billing" / ".venv"
    write(venv, {"pyvenv.cfg": "home = /usr/bin\nversion = 3.12.3\n"})
    executable(venv / "bin" / "python3")
    facts = make_facts(
        (3, 12, 3),
        prefix=str(venv),
        base_prefix="/usr",
        executable=f"{venv}/bin/python3",
        environ={"PATH": f"{venv}/bin", "VIRTUAL_ENV": str(venv)},
    )
    return facts, project


@pytest.mark.weight(3)
def test_diagnose_runs_every_check_in_order_and_logs_each_finding(
    tmp_path: Path, logged: tuple[logging.Logger, Collect]
) -> None:
    logger, handler = logged
    facts, project = healthy_project(tmp_path)
    venv = tmp_path / "billing" / ".venv"
    (project / "tests" / "test_billing.py").unlink()

    findings = diagnose(facts, project, clock=lambda: NOON_UTC, logger=logger)

    expected = [
        Finding("python", INFO, "Python 3.12.3 meets requires-python >=3.12"),
        Finding("venv", INFO, f"in the virtual environment {venv}, made from /usr/bin (Python 3.12.3)"),
        Finding("path", INFO, f"on PATH: {venv}/bin/python3"),
        Finding("pyenv", INFO, "pyenv pins 3.12 (.python-version) and Python 3.12.3 runs"),
        Finding("project", INFO, "src layout: billing"),
        Finding("project", WARNING, "tests folder has no test_*.py files"),
    ]
    assert_same(findings, expected)
    assert_same(
        handler.lines(),
        [(f.level, f"2024-05-01T12:00:00Z {f.check}: {f.message}") for f in expected],
    )


@pytest.mark.weight(2)
def test_diagnose_logs_errors_and_warnings_at_their_levels(
    tmp_path: Path, logged: tuple[logging.Logger, Collect]
) -> None:
    logger, handler = logged
    write(tmp_path, {"pyproject.toml": '[project]\nrequires-python = ">=3.13"\n'})
    facts = make_facts(environ={})

    diagnose(facts, tmp_path, clock=lambda: NOON_UTC, logger=logger)

    assert_same(
        handler.lines(),
        [
            (ERROR, "2024-05-01T12:00:00Z python: Python 3.11.7 does not meet requires-python >=3.13"),
            (WARNING, "2024-05-01T12:00:00Z venv: not in a virtual environment: pip would install into /usr"),
            (WARNING, "2024-05-01T12:00:00Z path: no python3 on PATH"),
            (WARNING, "2024-05-01T12:00:00Z project: no package: neither src/NAME/__init__.py nor NAME/__init__.py"),
            (WARNING, "2024-05-01T12:00:00Z project: no tests folder"),
        ],
    )
    assert_same([record.name for record in handler.records], ["test.env_doctor"] * 5)


@pytest.mark.weight(2)
def test_diagnose_stamps_the_time_in_utc(tmp_path: Path, logged: tuple[logging.Logger, Collect]) -> None:
    logger, handler = logged
    facts, project = healthy_project(tmp_path)
    berlin_summer = timezone(timedelta(hours=2))
    new_york = timezone(timedelta(hours=-4))

    diagnose(facts, project, clock=lambda: datetime(2024, 5, 1, 1, 30, 5, tzinfo=berlin_summer), logger=logger)
    diagnose(facts, project, clock=lambda: datetime(2024, 5, 1, 22, 0, 0, 999999, tzinfo=new_york), logger=logger)

    stamps = sorted({record.getMessage().split(" ")[0] for record in handler.records})
    assert_same(stamps, ["2024-04-30T23:30:05Z", "2024-05-02T02:00:00Z"])


def test_diagnose_reads_the_clock_once_per_run(tmp_path: Path, logged: tuple[logging.Logger, Collect]) -> None:
    logger, handler = logged
    facts, project = healthy_project(tmp_path)
    reads: list[datetime] = []

    def clock() -> datetime:
        reads.append(NOON_UTC + timedelta(seconds=len(reads)))
        return reads[-1]

    diagnose(facts, project, clock=clock, logger=logger)

    assert_same(len(reads), 1)
    assert all(line.startswith("2024-05-01T12:00:00Z ") for _, line in handler.lines())


def test_diagnose_refuses_a_clock_without_a_time_zone(tmp_path: Path, logged: tuple[logging.Logger, Collect]) -> None:
    logger, handler = logged
    facts, project = healthy_project(tmp_path)

    with pytest.raises(ValueError):
        diagnose(facts, project, clock=lambda: datetime(2024, 5, 1, 12, 0), logger=logger)
    assert_same(handler.records, [])


def test_diagnose_logs_to_the_doctor_logger_with_the_current_time_by_default(tmp_path: Path) -> None:
    facts, project = healthy_project(tmp_path)
    with attach("doctor") as (_, handler):
        before = datetime.now(timezone.utc).replace(microsecond=0)
        findings = diagnose(facts, project)
        after = datetime.now(timezone.utc)

        assert_same(len(handler.records), len(findings))
        stamp = datetime.strptime(handler.records[0].getMessage().split(" ")[0], "%Y-%m-%dT%H:%M:%SZ")
        assert before <= stamp.replace(tzinfo=timezone.utc) <= after, "the default clock is the current UTC time"


def test_diagnose_leaves_logging_configuration_alone(tmp_path: Path, logged: tuple[logging.Logger, Collect]) -> None:
    logger, _ = logged
    facts, project = healthy_project(tmp_path)
    root_handlers = list(logging.getLogger().handlers)

    diagnose(facts, project, clock=lambda: NOON_UTC, logger=logger)

    assert_same(logger.level, logging.DEBUG)
    assert logging.getLogger().handlers == root_handlers

