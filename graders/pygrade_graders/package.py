"""Build, install and run a learner's package, as its first user would.

pygrade runs this in the sandbox as `python -m pygrade_graders.package SPEC FD TOKEN_FD`.
SPEC is a JSON file:

    {"project": "folder with pyproject.toml", "name": "expected distribution name",
     "metadata": {"Requires-Python": ">=3.11", ...},
     "runs": [{"args": ["tool", "arg"], "stdin": "", "stdout": "expected", "code": 0}, ...],
     "timeout": 10.0}

The steps, each reported as a `step` event ({"name", "status": "pass" | "fail", "message"})
on the results channel, and the later ones skipped once one fails:

1. build: the wheel, offline, with the pinned setuptools (the only build backend pygrade
   has): `[build-system]` must name `setuptools.build_meta` and require nothing else.
2. install: into a fresh virtual environment, with `installer`, which writes the console
   scripts the package declares.
3. metadata: the wheel's name, and each field the exercise asks for.
4. one step per run: the command, found on the new environment's PATH, run from an empty
   folder (so it works only if installed), its stdout and exit status compared.

Learner code (a `setup.py`, the build's configuration, the installed command) only ever
runs in child processes, which do not inherit the channel.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import tomllib
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

from pygrade_graders.protocol import Channel, clip

BACKEND = "setuptools.build_meta"

# Run in a child process in the project's folder: the backend imports and runs the
# learner's build configuration.
BUILD = """
import sys
import setuptools.build_meta as backend
print(backend.build_wheel(sys.argv[1]))
"""


@dataclass
class Run:
    args: list[str]
    stdout: str | None = None
    stdin: str = ""
    code: int = 0


@dataclass
class Spec:
    project: str
    name: str
    metadata: dict[str, str] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)
    timeout: float = 30.0

    @classmethod
    def load(cls, path: str) -> Spec:
        with open(path, encoding="utf-8") as handle:
            raw: dict[str, Any] = json.load(handle)
        runs = [Run(**run) for run in raw.pop("runs", [])]
        return cls(runs=runs, **raw)


class Failed(Exception):
    """A step that did not pass, with what the learner reads."""


def normalise(name: str) -> str:
    """A distribution name as packaging compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def check_build_system(project: Path) -> None:
    try:
        config = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Failed("there is no pyproject.toml") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise Failed(f"pyproject.toml is not valid TOML: {error}") from None
    system = config.get("build-system")
    if not isinstance(system, dict):
        raise Failed("pyproject.toml has no [build-system] table: say how to build the package")
    backend = system.get("build-backend")
    if backend != BACKEND:
        raise Failed(f"[build-system] build-backend is {backend!r}: use {BACKEND!r}")
    requires = system.get("requires")
    if not isinstance(requires, list) or not requires:
        raise Failed('[build-system] requires must list what the build needs: ["setuptools"]')
    others = [r for r in requires if not (isinstance(r, str) and normalise(re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0]) == "setuptools")]
    if others:
        raise Failed(f"[build-system] requires {others}: the build runs offline, with setuptools alone")


def build(project: Path, out: Path, timeout: float) -> Path:
    check_build_system(project)
    done = subprocess.run(
        [sys.executable, "-B", "-c", BUILD, str(out)],
        cwd=project, capture_output=True, text=True, timeout=timeout, check=False,
    )
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-12:])
        raise Failed(f"the build failed:\n{tail}")
    wheels = sorted(out.glob("*.whl"))
    if len(wheels) != 1:
        raise Failed(f"the build made {len(wheels)} wheels, not one")
    return wheels[0]


def install(wheel: Path, venv: Path, timeout: float) -> Path:
    """Installs `wheel` into a new virtual environment at `venv`; its `bin` folder."""
    from installer import install as install_wheel
    from installer.destinations import SchemeDictionaryDestination
    from installer.sources import WheelFile

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=timeout)
    scheme = sysconfig.get_paths(scheme="venv", vars={"base": str(venv), "platbase": str(venv)})
    # sysconfig names no headers folder for a virtual environment; pip puts them here.
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    scheme.setdefault("headers", str(venv / "include" / "site" / version))
    destination = SchemeDictionaryDestination(
        {key: scheme[key] for key in ("purelib", "platlib", "headers", "scripts", "data")},
        interpreter=str(venv / "bin" / "python"),
        script_kind="posix",
    )
    try:
        with WheelFile.open(wheel) as source:
            install_wheel(source, destination, {"INSTALLER": b"pygrade\n"})
    except Exception as error:  # a wheel the installer refuses is the learner's, not ours
        raise Failed(f"the wheel does not install: {error}") from None
    return venv / "bin"


def metadata(wheel: Path) -> dict[str, str]:
    from installer.sources import WheelFile

    with WheelFile.open(wheel) as source:
        text = source.read_dist_info("METADATA")
    message = HeaderParser().parsestr(text)
    return {key: str(value) for key, value in message.items()}


def check_metadata(found: dict[str, str], spec: Spec) -> list[tuple[str, str | None]]:
    """Each check of the metadata: its name, and why it fails (None when it passes)."""
    results: list[tuple[str, str | None]] = []
    name = found.get("Name", "")
    results.append((
        f"the distribution is named {spec.name}",
        None if normalise(name) == normalise(spec.name) else f"the wheel's name is {name!r}",
    ))
    for key, expected in spec.metadata.items():
        value = found.get(key)
        if value is None:
            problem: str | None = f"the metadata has no {key}"
        elif expected == "*":
            problem = None if value.strip() else f"{key} is empty"
        else:
            problem = None if value.strip() == expected.strip() else f"{key} is {value!r}, not {expected!r}"
        results.append((f"metadata {key}" + ("" if expected == "*" else f" = {expected}"), problem))
    return results


def run_command(run: Run, bin_dir: Path, timeout: float) -> str | None:
    """Runs the installed command; why it did not do what was asked, or None."""
    folder = Path(tempfile.mkdtemp(prefix="run-"))
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)
    program = bin_dir / run.args[0]
    if not program.exists():
        return f"no command {run.args[0]!r} was installed: declare it in [project.scripts]"
    try:
        done = subprocess.run(
            [str(program), *run.args[1:]], cwd=folder, env=env, input=run.stdin,
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        return f"it ran for more than {timeout:g} s"
    problems = []
    if done.returncode != run.code:
        problems.append(f"it exited with status {done.returncode}, not {run.code}")
    if run.stdout is not None and done.stdout.rstrip() != run.stdout.rstrip():
        shown, _ = clip(done.stdout, 2_000)
        problems.append(f"it printed {shown!r}, not {run.stdout!r}")
    if problems and done.stderr.strip():
        tail, _ = clip(done.stderr.strip(), 2_000)
        problems.append(f"stderr:\n{tail}")
    return "; ".join(problems) or None


def grade(spec: Spec, channel: Channel) -> None:
    def step(name: str, problem: str | None) -> bool:
        channel.send("step", name=name, status="pass" if problem is None else "fail", message=problem)
        return problem is None

    scratch = Path(tempfile.mkdtemp(prefix="package-"))
    out = scratch / "dist"
    out.mkdir()
    try:
        wheel = build(Path(spec.project).resolve(), out, spec.timeout)
    except Failed as failed:
        step("builds a wheel", str(failed))
        return
    except subprocess.TimeoutExpired:
        step("builds a wheel", f"the build ran for more than {spec.timeout:g} s")
        return
    step("builds a wheel", None)
    try:
        bin_dir = install(wheel, scratch / "venv", spec.timeout)
    except Failed as failed:
        step("installs into a fresh virtual environment", str(failed))
        return
    step("installs into a fresh virtual environment", None)
    for name, problem in check_metadata(metadata(wheel), spec):
        step(name, problem)
    for run in spec.runs:
        step("runs " + " ".join(run.args), run_command(run, bin_dir, spec.timeout))


def main(argv: list[str]) -> int:
    spec_path, channel_fd, token_fd = argv
    spec = Spec.load(spec_path)
    channel = Channel.inherited(int(channel_fd), int(token_fd))
    channel.hello(python=".".join(map(str, sys.version_info[:3])))
    grade(spec, channel)
    channel.send("done")
    channel.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
