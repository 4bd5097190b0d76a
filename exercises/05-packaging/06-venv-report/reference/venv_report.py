"""Inspect a virtual environment's folder: what it was made from, what it holds, and how far
that has drifted from the lock file.

Run as a program: `python venv_report.py VENV [LOCKFILE]`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

# What `python -m venv` installs by itself: never reported as extra unless locked.
BOOTSTRAP = frozenset({"pip", "setuptools", "wheel"})


class NotAVenvError(ValueError):
    """The folder is not a virtual environment."""


@dataclass(frozen=True)
class Venv:
    """What `pyvenv.cfg` says about a virtual environment, and where its packages are."""

    path: Path
    home: str
    version: str | None
    system_site_packages: bool
    site_packages: Path | None


@dataclass(frozen=True)
class Distribution:
    """An installed distribution, as its `METADATA` names it."""

    name: str
    version: str


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them: `Flask_SQLAlchemy` is `flask-sqlalchemy`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_pyvenv_cfg(text: str) -> dict[str, str]:
    """The `key = value` lines of a `pyvenv.cfg`, keys lower-cased, both sides stripped.

    Lines without `=` are ignored, as Python's own `site` module ignores them.
    """
    settings: dict[str, str] = {}
    for line in text.splitlines():
        key, equals, value = line.partition("=")
        if equals:
            settings[key.strip().lower()] = value.strip()
    return settings


def _version(settings: Mapping[str, str]) -> str | None:
    """`version`, or the first three parts of `version_info` (uv and virtualenv write it)."""
    if "version" in settings:
        return settings["version"]
    if "version_info" in settings:
        return ".".join(settings["version_info"].split(".")[:3])
    return None


def inspect(folder: Path) -> Venv:
    """Read `folder`'s `pyvenv.cfg`; NotAVenvError when there is none or it names no `home`."""
    config = folder / "pyvenv.cfg"
    if not config.is_file():
        raise NotAVenvError(f"{folder} is not a virtual environment: it has no pyvenv.cfg")
    settings = parse_pyvenv_cfg(config.read_text(encoding="utf-8"))
    if not settings.get("home"):
        raise NotAVenvError(f"{folder} is not a virtual environment: its pyvenv.cfg names no home")
    version = _version(settings)
    candidates = [folder / "Lib" / "site-packages"]
    if version is not None:
        major_minor = ".".join(version.split(".")[:2])
        candidates.insert(0, folder / "lib" / f"python{major_minor}" / "site-packages")
    return Venv(
        path=folder,
        home=settings["home"],
        version=version,
        system_site_packages=settings.get("include-system-site-packages", "").lower() == "true",
        site_packages=next((path for path in candidates if path.is_dir()), None),
    )


def installed(site_packages: Path | None) -> dict[str, Distribution]:
    """The distributions of `site_packages`, by normalized name, from each `*.dist-info/METADATA`.

    A `.dist-info` folder without a readable `METADATA` that has both `Name` and `Version` is
    left out (an install that was interrupted). Of two folders of one distribution, the one
    whose folder name sorts last counts.
    """
    found: dict[str, Distribution] = {}
    if site_packages is None:
        return found
    for folder in sorted(site_packages.glob("*.dist-info")):
        try:
            headers = HeaderParser().parsestr((folder / "METADATA").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        name, version = headers.get("Name", "").strip(), headers.get("Version", "").strip()
        if name and version:
            found[normalize(name)] = Distribution(name, version)
    return found


def parse_lock(text: str) -> dict[str, str]:
    """A lock file's pins, `name==version` per line, by normalized name.

    `#` starts a comment; blank lines are skipped. ValueError("line N: ...") for any other line.
    """
    pins: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        pin = line.partition("#")[0].strip()
        if not pin:
            continue
        name, equals, version = pin.partition("==")
        if not equals or not name.strip() or not version.strip():
            raise ValueError(f"line {number}: expected 'name==version', got {pin!r}")
        pins[normalize(name.strip())] = version.strip()
    return pins


def drift(present: Mapping[str, Distribution], locked: Mapping[str, str]) -> list[str]:
    """How `present` differs from `locked`: one line per distribution, by normalized name."""
    lines: list[str] = []
    for name in sorted(present.keys() | locked.keys()):
        distribution = present.get(name)
        if distribution is None:
            lines.append(f"missing: {name}=={locked[name]}")
        elif name not in locked:
            if name not in BOOTSTRAP:
                lines.append(f"extra: {name} {distribution.version}")
        elif distribution.version != locked[name]:
            lines.append(f"changed: {name} {distribution.version}, locked {locked[name]}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """`python venv_report.py VENV [LOCKFILE]`; the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        print("usage: python venv_report.py VENV [LOCKFILE]", file=sys.stderr)
        return 2
    try:
        venv = inspect(Path(args[0]))
    except NotAVenvError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    locked: dict[str, str] | None = None
    if len(args) == 2:
        try:
            locked = parse_lock(Path(args[1]).read_text(encoding="utf-8"))
        except OSError as error:
            print(f"error: {args[1]}: cannot read ({error.strerror})", file=sys.stderr)
            return 2
        except ValueError as error:
            print(f"error: {args[1]}: {error}", file=sys.stderr)
            return 2
    present = installed(venv.site_packages)
    print(f"venv: {args[0]}")
    print(f"python: {venv.version or 'unknown'} (base interpreter in {venv.home})")
    print(f"system site-packages: {'yes' if venv.system_site_packages else 'no'}")
    print(f"distributions: {len(present)}")
    for name in sorted(present):
        print(f"  {present[name].name} {present[name].version}")
    if locked is None:
        return 0
    lines = drift(present, locked)
    print(f"drift: {len(lines) or 'none'}")
    for line in lines:
        print(f"  {line}")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
