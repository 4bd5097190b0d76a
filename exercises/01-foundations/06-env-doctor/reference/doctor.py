"""A doctor for the team's Python projects: which Python runs, in which environment, found how,
and whether the project around it is laid out as the team expects.

Every fact about the machine comes in through `Facts` and the project folder, and the time
through a clock, so that a diagnosis can be tested on any machine.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

CLAUSE = re.compile(r"(~=|==|!=|>=|<=|>|<)\s*([0-9]+(?:\.[0-9]+){0,2})(\.\*)?")
PIN = re.compile(r"[0-9]+(?:\.[0-9]+){0,2}")
PYTHON_NAME = re.compile(r"python3(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Facts:
    """What the running interpreter and its environment report."""

    version_info: tuple[int, int, int]
    prefix: str
    base_prefix: str
    executable: str
    environ: Mapping[str, str]

    @classmethod
    def from_running(cls) -> Facts:
        """The facts of the interpreter running this code."""
        major, minor, micro = sys.version_info[:3]
        return cls(
            version_info=(major, minor, micro),
            prefix=sys.prefix,
            base_prefix=sys.base_prefix,
            executable=sys.executable,
            environ=dict(os.environ),
        )


@dataclass(frozen=True)
class Finding:
    """One thing the doctor found: which check found it, how serious it is, and what it is."""

    check: str
    level: int
    message: str


def _version_text(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def _padded(numbers: tuple[int, ...]) -> tuple[int, int, int]:
    major, minor, micro = (numbers + (0, 0))[:3]
    return (major, minor, micro)


def _clause_holds(version: tuple[int, int, int], clause: str, spec: str) -> bool:
    match = CLAUSE.fullmatch(clause.strip())
    if match is None:
        raise ValueError(f"cannot read requires-python {spec!r}")
    operator, text, wildcard = match.groups()
    numbers = tuple(int(part) for part in text.split("."))
    if wildcard:
        if operator not in ("==", "!="):
            raise ValueError(f"cannot read requires-python {spec!r}")
        same = version[: len(numbers)] == numbers
        return same if operator == "==" else not same
    if operator == "~=":
        if len(numbers) < 2:
            raise ValueError(f"cannot read requires-python {spec!r}")
        return version >= _padded(numbers) and version[: len(numbers) - 1] == numbers[:-1]
    bound = _padded(numbers)
    return {
        "==": version == bound,
        "!=": version != bound,
        ">=": version >= bound,
        "<=": version <= bound,
        ">": version > bound,
        "<": version < bound,
    }[operator]


def satisfies(version: tuple[int, int, int], spec: str) -> bool:
    """Whether ``version`` meets the ``requires-python`` specifier ``spec``."""
    clauses = spec.split(",")
    results = [_clause_holds(version, clause, spec) for clause in clauses]
    return all(results)


def check_python(facts: Facts, project: Path) -> list[Finding]:
    """The running version against the project's ``requires-python``."""
    running = f"Python {_version_text(facts.version_info)}"
    pyproject = project / "pyproject.toml"
    if not pyproject.is_file():
        return [Finding("python", logging.INFO, f"{running}; the project states no requires-python")]
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        return [Finding("python", logging.ERROR, f"pyproject.toml is not valid TOML: {err}")]
    table = data.get("project")
    spec = table.get("requires-python") if isinstance(table, dict) else None
    if spec is None:
        return [Finding("python", logging.INFO, f"{running}; the project states no requires-python")]
    unreadable = Finding("python", logging.WARNING, f"{running}; cannot read requires-python {spec!r}")
    if not isinstance(spec, str):
        return [unreadable]
    try:
        met = satisfies(facts.version_info, spec)
    except ValueError:
        return [unreadable]
    if met:
        return [Finding("python", logging.INFO, f"{running} meets requires-python {spec}")]
    return [Finding("python", logging.ERROR, f"{running} does not meet requires-python {spec}")]


def _read_cfg(path: Path) -> dict[str, str]:
    settings: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, equals, value = line.partition("=")
        if equals:
            settings[key.strip().lower()] = value.strip()
    return settings


def check_venv(facts: Facts) -> list[Finding]:
    """Whether a virtual environment is in use, and whether it is the one meant."""
    findings: list[Finding] = []
    if facts.prefix == facts.base_prefix:
        findings.append(
            Finding(
                "venv",
                logging.WARNING,
                f"not in a virtual environment: pip would install into {facts.prefix}",
            )
        )
    else:
        cfg = Path(facts.prefix) / "pyvenv.cfg"
        if not cfg.is_file():
            findings.append(
                Finding("venv", logging.WARNING, f"{facts.prefix} has no pyvenv.cfg: not made by venv")
            )
        else:
            settings = _read_cfg(cfg)
            home = settings.get("home", "an unknown folder")
            version = settings.get("version")
            findings.append(
                Finding(
                    "venv",
                    logging.INFO,
                    f"in the virtual environment {facts.prefix}, made from {home} (Python {version or 'unknown'})",
                )
            )
            running = _version_text(facts.version_info)
            if version is not None and version != running:
                findings.append(
                    Finding(
                        "venv",
                        logging.WARNING,
                        f"pyvenv.cfg says Python {version} but {running} runs: recreate the environment",
                    )
                )
    activated = facts.environ.get("VIRTUAL_ENV")
    if activated and Path(activated) != Path(facts.prefix):
        findings.append(
            Finding(
                "venv",
                logging.WARNING,
                f"VIRTUAL_ENV is {activated} but this interpreter runs from {facts.prefix}",
            )
        )
    return findings


def _python_order(name: str) -> tuple[int, ...]:
    """``python3`` first, then ``python3.N`` by N as a number: 3.9 before 3.10."""
    return tuple(int(part) for part in name.removeprefix("python").split("."))


def find_pythons(path: str) -> list[str]:
    """The ``python3`` and ``python3.N`` executables on ``path`` (a PATH value), in the order
    a shell finds them."""
    found: list[str] = []
    seen: set[str] = set()
    for folder in path.split(os.pathsep):
        if not folder or folder in seen:
            continue
        seen.add(folder)
        directory = Path(folder)
        if not directory.is_dir():
            continue
        names = [
            entry.name
            for entry in directory.iterdir()
            if PYTHON_NAME.fullmatch(entry.name)
            and entry.is_file()
            and os.access(entry, os.X_OK)
        ]
        found += [os.path.join(folder, name) for name in sorted(names, key=_python_order)]
    return found


def check_path(facts: Facts) -> list[Finding]:
    """Which Pythons a shell finds on PATH, and whether ``python3`` is this interpreter's."""
    pythons = find_pythons(facts.environ.get("PATH", ""))
    if not pythons:
        return [Finding("path", logging.WARNING, "no python3 on PATH")]
    findings = [Finding("path", logging.INFO, f"on PATH: {', '.join(pythons)}")]
    first = next((found for found in pythons if os.path.basename(found) == "python3"), None)
    here = os.path.dirname(facts.executable)
    if first is not None and os.path.dirname(first) != here:
        findings.append(
            Finding(
                "path",
                logging.WARNING,
                f"python3 on PATH is {first}, but this interpreter is {facts.executable}",
            )
        )
    return findings


def _pin(facts: Facts, project: Path) -> tuple[str, str] | None:
    """The version pyenv would choose, and where it comes from."""
    pinned = facts.environ.get("PYENV_VERSION", "").strip()
    if pinned:
        return pinned, "PYENV_VERSION"
    version_file = project / ".python-version"
    if not version_file.is_file():
        return None
    for line in version_file.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line, ".python-version"
    return None


def check_pyenv(facts: Facts, project: Path) -> list[Finding]:
    """Whether pyenv pins a version, and whether it is the one running."""
    pin = _pin(facts, project)
    if pin is None:
        return []
    pinned, source = pin
    running = _version_text(facts.version_info)
    if pinned == "system":
        return [Finding("pyenv", logging.INFO, f"pyenv uses the system Python ({source})")]
    if PIN.fullmatch(pinned) is None:
        return [Finding("pyenv", logging.WARNING, f"cannot read the pyenv version {pinned!r} ({source})")]
    numbers = tuple(int(part) for part in pinned.split("."))
    if facts.version_info[: len(numbers)] == numbers:
        return [Finding("pyenv", logging.INFO, f"pyenv pins {pinned} ({source}) and Python {running} runs")]
    return [Finding("pyenv", logging.WARNING, f"pyenv pins {pinned} ({source}) but Python {running} runs")]


def _packages(folder: Path) -> list[str]:
    """The names of the packages right inside ``folder`` (none if there is no such folder)."""
    return sorted(
        init.parent.name
        for init in folder.glob("*/__init__.py")
        if init.is_file() and not init.parent.name.startswith(".") and init.parent.name != "tests"
    )


def check_project(project: Path) -> list[Finding]:
    """The project's structure: pyproject.toml, its layout and its tests."""
    findings: list[Finding] = []
    if not (project / "pyproject.toml").is_file():
        findings.append(Finding("project", logging.ERROR, "no pyproject.toml"))
    in_src = _packages(project / "src")
    flat = _packages(project)
    if in_src:
        findings.append(Finding("project", logging.INFO, f"src layout: {', '.join(in_src)}"))
    elif flat:
        findings.append(Finding("project", logging.INFO, f"flat layout: {', '.join(flat)}"))
    else:
        findings.append(Finding("project", logging.WARNING, "no package: neither src/NAME/__init__.py nor NAME/__init__.py"))
    tests = project / "tests"
    if not tests.is_dir():
        findings.append(Finding("project", logging.WARNING, "no tests folder"))
    else:
        count = sum(1 for found in tests.rglob("test_*.py") if found.is_file())
        if count:
            findings.append(Finding("project", logging.INFO, f"test files in tests: {count}"))
        else:
            findings.append(Finding("project", logging.WARNING, "tests folder has no test_*.py files"))
    return findings


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def diagnose(
    facts: Facts,
    project: Path,
    *,
    clock: Callable[[], datetime] = _utc_now,
    logger: logging.Logger | None = None,
) -> list[Finding]:
    """Run every check, log each finding at its level with the run's time in UTC, and
    return the findings."""
    now = clock()
    if now.utcoffset() is None:
        raise ValueError("the clock must return an aware datetime")
    stamp = now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    log = logger if logger is not None else logging.getLogger("doctor")
    findings = [
        *check_python(facts, project),
        *check_venv(facts),
        *check_path(facts),
        *check_pyenv(facts, project),
        *check_project(project),
    ]
    for finding in findings:
        log.log(finding.level, "%s %s: %s", stamp, finding.check, finding.message)
    return findings
