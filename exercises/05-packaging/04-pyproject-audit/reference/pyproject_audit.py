"""Audit pyproject.toml files against the team's packaging policy.

Run as a program, `python pyproject_audit.py FILE...` prints each file's findings.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RULES = {
    "PA001": "no [build-system] table",
    "PA002": "no build backend named",
    "PA003": "the backend's own package is not required",
    "PA004": "build requirement has no lower bound",
    "PA005": "a [tool.poetry] project needs the poetry.core.masonry.api backend",
    "PA009": "no [project] table",
    "PA010": "required field is missing",
    "PA011": "not a valid distribution name",
    "PA012": "no lower bound on the Python version",
    "PA013": "an upper bound on the Python version: resolvers then refuse newer Pythons",
    "PA014": "not a version constraint",
    "PA020": "version is both static and dynamic",
    "PA021": "dynamic version has no source in the backend's configuration",
    "PA022": "a version source, but version is not dynamic",
    "PA023": "name may never be dynamic",
    "PA030": "command name is not lower-case letters, digits and dashes",
    "PA031": "not an object reference, 'package.module:function'",
    "PA032": "declare commands in [project.scripts] or [project.gui-scripts]",
}

# The package each known backend is imported from, which [build-system] must require.
BACKEND_PACKAGES = {
    "setuptools.build_meta": "setuptools",
    "poetry.core.masonry.api": "poetry-core",
    "hatchling.build": "hatchling",
    "flit_core.buildapi": "flit-core",
    "pdm.backend": "pdm-backend",
}
POETRY_BACKEND = "poetry.core.masonry.api"

# Where a backend reads a dynamic version from (backends not listed are not checked).
VERSION_SOURCES = {
    "setuptools.build_meta": ("tool", "setuptools", "dynamic", "version"),
    "hatchling.build": ("tool", "hatch", "version"),
}

REQUIRED_PROJECT = ("name", "version", "description", "requires-python", "license")
REQUIRED_POETRY = ("name", "version", "description", "license")

# How main() names each flavour.
LABELS = {"pep621": "PEP 621 project", "poetry": "Poetry project", "unknown": "no project metadata"}

_NAME = re.compile(r"[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")
_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_LOWER_BOUND = re.compile(r"(>=|==|~=)\s*[0-9]")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_COMMAND = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_FUNCTION_REFERENCE = re.compile(rf"{_DOTTED}:{_DOTTED}")
_OBJECT_REFERENCE = re.compile(rf"{_DOTTED}(?::{_DOTTED})?")
# One clause of a Python constraint, PEP 440's or Poetry's (`^3.11`, `~3.11`, `3.11`, `*`).
_PYTHON_CLAUSE = re.compile(r"\*|(>=|<=|==|!=|~=|>|<|\^|~)?\s*[0-9]+(?:\.[0-9]+)*(?:\.\*)?")
# The operators that bound the version from below and from above; "" is a bare version, an
# exact pin in Poetry's syntax, and None the wildcard `*`.
_LOWER_OPS = {">=", ">", "==", "~=", "^", "~", ""}
_UPPER_OPS = {"<", "<=", "==", "~=", "^", "~", ""}


@dataclass(frozen=True, order=True)
class Finding:
    """A broken rule: its code (a key of RULES) and where, as a dotted path into the file."""

    code: str
    where: str

    def __str__(self) -> str:
        return f"{self.code} {self.where}: {RULES[self.code]}"


def flavour(config: Mapping[str, Any]) -> str:
    """`"pep621"` with a [project] table, else `"poetry"` with [tool.poetry], else `"unknown"`."""
    if "project" in config:
        return "pep621"
    if "poetry" in config.get("tool", {}):
        return "poetry"
    return "unknown"


def _lookup(config: Mapping[str, Any], path: Sequence[str]) -> Any:
    """The value at `path`, or None when some table on the way is missing."""
    value: Any = config
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _key(name: str) -> str:
    """`name` as a part of a dotted path: quoted, as TOML quotes it, unless it is a bare key."""
    return name if _BARE_KEY.fullmatch(name) else f'"{name}"'


def _requirement_name(requirement: str) -> str:
    found = _REQUIREMENT_NAME.match(requirement.strip())
    return re.sub(r"[-_.]+", "-", found.group()).lower() if found else ""


def _build_system(config: Mapping[str, Any], kind: str) -> Iterator[Finding]:
    system = config.get("build-system")
    if system is None:
        yield Finding("PA001", "build-system")
        return
    requires: list[Any] = system.get("requires", [])
    for index, requirement in enumerate(requires):
        if not isinstance(requirement, str) or not _LOWER_BOUND.search(requirement):
            yield Finding("PA004", f"build-system.requires[{index}]")
    backend = system.get("build-backend")
    if backend is None:
        yield Finding("PA002", "build-system.build-backend")
        return
    if kind == "poetry" and backend != POETRY_BACKEND:
        yield Finding("PA005", "build-system.build-backend")
    package = BACKEND_PACKAGES.get(backend)
    names = {_requirement_name(r) for r in requires if isinstance(r, str)}
    if package is not None and package not in names:
        yield Finding("PA003", "build-system.requires")


def _python(constraint: str, where: str) -> Iterator[Finding]:
    ops: list[str | None] = []
    for clause in constraint.split(","):
        found = _PYTHON_CLAUSE.fullmatch(clause.strip())
        if found is None:
            yield Finding("PA014", where)
            return
        ops.append(None if found.group() == "*" else found.group(1) or "")
    if not _LOWER_OPS.intersection(ops):
        yield Finding("PA012", where)
    if _UPPER_OPS.intersection(ops):
        yield Finding("PA013", where)


def _commands(table: Mapping[str, Any], where: str) -> Iterator[Finding]:
    for name, reference in table.items():
        if not _COMMAND.fullmatch(name):
            yield Finding("PA030", f"{where}.{_key(name)}")
        if not isinstance(reference, str) or not _FUNCTION_REFERENCE.fullmatch(reference.strip()):
            yield Finding("PA031", f"{where}.{_key(name)}")


def _entry_points(groups: Mapping[str, Any]) -> Iterator[Finding]:
    for group, entries in groups.items():
        where = f"project.entry-points.{_key(group)}"
        if group in ("console_scripts", "gui_scripts"):
            yield Finding("PA032", where)
            continue
        for name, reference in entries.items():
            if not isinstance(reference, str) or not _OBJECT_REFERENCE.fullmatch(reference.strip()):
                yield Finding("PA031", f"{where}.{_key(name)}")


def _project(config: Mapping[str, Any]) -> Iterator[Finding]:
    project: Mapping[str, Any] = config["project"]
    dynamic: list[str] = project.get("dynamic", [])
    for field in REQUIRED_PROJECT:
        if field not in project and not (field == "version" and "version" in dynamic):
            yield Finding("PA010", f"project.{field}")
    if "name" in project and not _NAME.fullmatch(project["name"]):
        yield Finding("PA011", "project.name")
    if "requires-python" in project:
        yield from _python(project["requires-python"], "project.requires-python")
    if "name" in dynamic:
        yield Finding("PA023", "project.dynamic")
    backend = _lookup(config, ("build-system", "build-backend"))
    source = VERSION_SOURCES.get(backend) if isinstance(backend, str) else None
    if "version" in dynamic:
        if "version" in project:
            yield Finding("PA020", "project.version")
        if source is not None and _lookup(config, source) is None:
            yield Finding("PA021", "project.dynamic")
    else:
        for path in VERSION_SOURCES.values():
            if _lookup(config, path) is not None:
                yield Finding("PA022", ".".join(path))
    for table in ("scripts", "gui-scripts"):
        yield from _commands(project.get(table, {}), f"project.{table}")
    yield from _entry_points(project.get("entry-points", {}))


def _poetry(config: Mapping[str, Any]) -> Iterator[Finding]:
    poetry: Mapping[str, Any] = config["tool"]["poetry"]
    for field in REQUIRED_POETRY:
        if field not in poetry:
            yield Finding("PA010", f"tool.poetry.{field}")
    if "name" in poetry and not _NAME.fullmatch(poetry["name"]):
        yield Finding("PA011", "tool.poetry.name")
    python = _lookup(poetry, ("dependencies", "python"))
    if python is None:
        yield Finding("PA010", "tool.poetry.dependencies.python")
    else:
        yield from _python(python, "tool.poetry.dependencies.python")
    yield from _commands(poetry.get("scripts", {}), "tool.poetry.scripts")


def audit(config: Mapping[str, Any]) -> list[Finding]:
    """Every finding of the policy on `config` (what tomllib reads), sorted by code and place."""
    kind = flavour(config)
    findings = list(_build_system(config, kind))
    if kind == "pep621":
        findings += _project(config)
    elif kind == "poetry":
        findings += _poetry(config)
    else:
        findings.append(Finding("PA009", "project"))
    return sorted(findings)



def main(argv: Sequence[str] | None = None) -> int:
    """`python pyproject_audit.py FILE...`; the exit status."""
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: python pyproject_audit.py FILE...", file=sys.stderr)
        return 2
    status = 0
    for path in paths:
        try:
            with open(path, "rb") as handle:
                config = tomllib.load(handle)
        except OSError as error:
            print(f"error: {path}: cannot read ({error.strerror})", file=sys.stderr)
            status = 2
            continue
        except tomllib.TOMLDecodeError as error:
            print(f"error: {path}: not valid TOML ({error})", file=sys.stderr)
            status = 2
            continue
        findings = audit(config)
        count = f"{len(findings)} finding{'' if len(findings) == 1 else 's'}" if findings else "no findings"
        print(f"{path}: {LABELS[flavour(config)]}, {count}")
        for finding in findings:
            print(f"  {finding}")
        if findings:
            status = max(status, 1)
    return status


if __name__ == "__main__":
    sys.exit(main())
