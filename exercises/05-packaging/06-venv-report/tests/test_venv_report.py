"""Tests for venv_report.py, on virtual environments faked as folders in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from pygrade_graders.compare import assert_same

from venv_report import (
    Distribution,
    NotAVenvError,
    Venv,
    drift,
    inspect,
    installed,
    main,
    normalize,
    parse_lock,
    parse_pyvenv_cfg,
)

CFG = """\
home = /usr/local/bin
include-system-site-packages = false
version = 3.11.7
executable = /usr/local/bin/python3.11
command = /usr/local/bin/python3 -m venv /srv/app/.venv
"""


def make_venv(
    root: Path,
    cfg: str | None = CFG,
    site: str | None = "lib/python3.11/site-packages",
    dists: dict[str, str] | None = None,
) -> Path:
    """A fake virtual environment: its pyvenv.cfg, and a METADATA per `dist-info folder: text`."""
    root.mkdir(parents=True, exist_ok=True)
    if cfg is not None:
        (root / "pyvenv.cfg").write_text(cfg, encoding="utf-8")
    if site is not None:
        (root / site).mkdir(parents=True)
        for folder, metadata in (dists or {}).items():
            (root / site / folder).mkdir()
            (root / site / folder / "METADATA").write_text(metadata, encoding="utf-8")
    return root


def metadata(name: str, version: str) -> str:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: a package\n\nThe long description.\n"


# --- normalize and pyvenv.cfg -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("requests", "requests"),
        ("Flask_SQLAlchemy", "flask-sqlalchemy"),
        ("zope.interface", "zope-interface"),
        ("Jinja2", "jinja2"),
        ("a-_.b", "a-b"),
        ("A__B--C..D", "a-b-c-d"),
    ],
)
def test_normalize(name: str, expected: str) -> None:
    assert_same(normalize(name), expected)


def test_parse_pyvenv_cfg() -> None:
    assert_same(
        parse_pyvenv_cfg(CFG),
        {
            "home": "/usr/local/bin",
            "include-system-site-packages": "false",
            "version": "3.11.7",
            "executable": "/usr/local/bin/python3.11",
            "command": "/usr/local/bin/python3 -m venv /srv/app/.venv",
        },
    )


def test_parse_pyvenv_cfg_strips_lowers_keys_and_skips_other_lines() -> None:
    text = "  Home=C:\\Python312  \n\n# a comment\nnot a setting\nprompt = (app) = dev \nVERSION_INFO = 3.12.1\n"

    assert_same(
        parse_pyvenv_cfg(text),
        {"home": "C:\\Python312", "prompt": "(app) = dev", "version_info": "3.12.1"},
    )


# --- inspect ------------------------------------------------------------------------------


def test_inspect_a_venv(tmp_path: Path) -> None:
    root = make_venv(tmp_path / ".venv")

    assert_same(
        inspect(root),
        Venv(
            path=root,
            home="/usr/local/bin",
            version="3.11.7",
            system_site_packages=False,
            site_packages=root / "lib" / "python3.11" / "site-packages",
        ),
    )


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("yes", False), ("", False), ("1", False)],
)
def test_inspect_reads_include_system_site_packages(tmp_path: Path, setting: str, expected: bool) -> None:
    root = make_venv(tmp_path / "v", cfg=f"home = /usr/bin\ninclude-system-site-packages = {setting}\n", site=None)

    assert_same(inspect(root).system_site_packages, expected)


def test_system_site_packages_are_off_when_not_said(tmp_path: Path) -> None:
    root = make_venv(tmp_path / "v", cfg="home = /usr/bin\nversion = 3.12.4\n", site=None)

    assert_same(inspect(root).system_site_packages, False)


@pytest.mark.parametrize(
    ("cfg", "expected"),
    [
        ("home = /usr/bin\nversion = 3.12.4\n", "3.12.4"),
        ("home = /usr/bin\nversion_info = 3.12.4\nuv = 0.4.18\n", "3.12.4"),
        ("home = /usr/bin\nversion_info = 3.11.7.final.0\nvirtualenv = 20.26.3\n", "3.11.7"),
        ("home = /usr/bin\nversion = 3.13.0\nversion_info = 3.12.1\n", "3.13.0"),
        ("home = /usr/bin\n", None),
    ],
)
def test_inspect_reads_the_version(tmp_path: Path, cfg: str, expected: str | None) -> None:
    assert_same(inspect(make_venv(tmp_path / "v", cfg=cfg, site=None)).version, expected)


def test_site_packages_follows_the_version(tmp_path: Path) -> None:
    root = make_venv(tmp_path / "v", cfg="home = /usr/bin\nversion_info = 3.12.1.final.0\n", site=None)
    (root / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    (root / "lib" / "python3.12" / "site-packages").mkdir(parents=True)

    assert_same(inspect(root).site_packages, root / "lib" / "python3.12" / "site-packages")


def test_site_packages_prefers_the_posix_layout(tmp_path: Path) -> None:
    root = make_venv(tmp_path / "v", site="Lib/site-packages")
    (root / "lib" / "python3.11" / "site-packages").mkdir(parents=True, exist_ok=True)

    assert_same(inspect(root).site_packages, root / "lib" / "python3.11" / "site-packages")


def test_site_packages_of_a_windows_venv(tmp_path: Path) -> None:
    root = make_venv(tmp_path / "v", cfg="home = C:\\Python312\nversion = 3.12.4\n", site="Lib/site-packages")

    assert_same(inspect(root).site_packages, root / "Lib" / "site-packages")


def test_site_packages_of_a_windows_venv_without_a_version(tmp_path: Path) -> None:
    root = make_venv(tmp_path / "v", cfg="home = C:\\Python312\n", site="Lib/site-packages")

    assert_same(inspect(root).site_packages, root / "Lib" / "site-packages")


@pytest.mark.parametrize("site", [None, "lib/python3.10/site-packages", "lib/python3.11/dist-packages"])
def test_no_site_packages(tmp_path: Path, site: str | None) -> None:
    root = make_venv(tmp_path / "v", site=site)

    assert_same(inspect(root).site_packages, None)


def test_site_packages_must_be_a_folder(tmp_path: Path) -> None:
    root = make_venv(tmp_path / "v", site=None)
    (root / "lib" / "python3.11").mkdir(parents=True)
    (root / "lib" / "python3.11" / "site-packages").write_text("", encoding="utf-8")

    assert_same(inspect(root).site_packages, None)


def test_a_folder_without_pyvenv_cfg_is_not_a_venv(tmp_path: Path) -> None:
    root = make_venv(tmp_path / "project", cfg=None)

    with pytest.raises(NotAVenvError) as caught:
        inspect(root)

    assert_same(str(caught.value), f"{root} is not a virtual environment: it has no pyvenv.cfg")


def test_a_pyvenv_cfg_that_is_a_folder_is_not_one(tmp_path: Path) -> None:
    root = make_venv(tmp_path / "project", cfg=None)
    (root / "pyvenv.cfg").mkdir()

    with pytest.raises(NotAVenvError):
        inspect(root)


@pytest.mark.parametrize("cfg", ["", "version = 3.11.7\n", "home =\nversion = 3.11.7\n", "home: /usr/bin\n"])
def test_a_pyvenv_cfg_without_home_is_not_a_venv(tmp_path: Path, cfg: str) -> None:
    root = make_venv(tmp_path / "v", cfg=cfg)

    with pytest.raises(NotAVenvError) as caught:
        inspect(root)

    assert_same(str(caught.value), f"{root} is not a virtual environment: its pyvenv.cfg names no home")


def test_a_missing_folder_is_not_a_venv(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        inspect(tmp_path / "nowhere")


# --- installed ----------------------------------------------------------------------------


def test_installed_reads_each_metadata(tmp_path: Path) -> None:
    root = make_venv(
        tmp_path / "v",
        dists={
            "requests-2.32.3.dist-info": metadata("requests", "2.32.3"),
            "Flask_SQLAlchemy-3.1.1.dist-info": metadata("Flask-SQLAlchemy", "3.1.1"),
            "zope.interface-6.4.dist-info": metadata("zope.interface", "6.4"),
        },
    )

    assert_same(
        installed(inspect(root).site_packages),
        {
            "flask-sqlalchemy": Distribution("Flask-SQLAlchemy", "3.1.1"),
            "requests": Distribution("requests", "2.32.3"),
            "zope-interface": Distribution("zope.interface", "6.4"),
        },
    )


def test_installed_trusts_metadata_over_the_folder_name(tmp_path: Path) -> None:
    root = make_venv(tmp_path / "v", dists={"whatever.dist-info": metadata("PyYAML", "6.0.1")})

    assert_same(installed(inspect(root).site_packages), {"pyyaml": Distribution("PyYAML", "6.0.1")})


def test_installed_reads_only_the_headers(tmp_path: Path) -> None:
    text = "Metadata-Version: 2.1\nName:   attrs  \nVersion: 23.2.0\n\nName: not-this\nVersion: 0\n"
    root = make_venv(tmp_path / "v", dists={"attrs-23.2.0.dist-info": text})

    assert_same(installed(inspect(root).site_packages), {"attrs": Distribution("attrs", "23.2.0")})


def test_installed_skips_everything_but_dist_info_folders(tmp_path: Path) -> None:
    root = make_venv(
        tmp_path / "v",
        dists={
            "requests": metadata("requests", "2.32.3"),
            "six-1.16.0.egg-info": metadata("six", "1.16.0"),
            "idna-3.7.dist-info": metadata("idna", "3.7"),
        },
    )
    site = inspect(root).site_packages
    assert site is not None
    (site / "stray.dist-info").write_text(metadata("stray", "1.0"), encoding="utf-8")
    (site / "idna").mkdir()
    (site / "idna" / "METADATA").write_text(metadata("fake", "1.0"), encoding="utf-8")

    assert_same(installed(site), {"idna": Distribution("idna", "3.7")})


@pytest.mark.parametrize(
    "text",
    [
        "Metadata-Version: 2.1\nVersion: 1.0\n",
        "Metadata-Version: 2.1\nName: broken\n",
        "Metadata-Version: 2.1\nName: broken\nVersion:   \n",
        "",
    ],
    ids=["no-name", "no-version", "empty-version", "empty"],
)
def test_installed_skips_a_metadata_without_name_and_version(tmp_path: Path, text: str) -> None:
    root = make_venv(
        tmp_path / "v",
        dists={"broken-1.0.dist-info": text, "idna-3.7.dist-info": metadata("idna", "3.7")},
    )

    assert_same(installed(inspect(root).site_packages), {"idna": Distribution("idna", "3.7")})


def test_installed_skips_a_dist_info_without_metadata(tmp_path: Path) -> None:
    root = make_venv(tmp_path / "v", dists={"idna-3.7.dist-info": metadata("idna", "3.7")})
    site = inspect(root).site_packages
    assert site is not None
    (site / "half-1.0.dist-info").mkdir()
    (site / "half-1.0.dist-info" / "RECORD").write_text("", encoding="utf-8")

    assert_same(installed(site), {"idna": Distribution("idna", "3.7")})


def test_installed_skips_a_metadata_that_is_not_utf8(tmp_path: Path) -> None:
    root = make_venv(tmp_path / "v", dists={"idna-3.7.dist-info": metadata("idna", "3.7")})
    site = inspect(root).site_packages
    assert site is not None
    (site / "latin-1.0.dist-info").mkdir()
    (site / "latin-1.0.dist-info" / "METADATA").write_bytes(b"Name: caf\xe9\nVersion: 1.0\n")

    assert_same(installed(site), {"idna": Distribution("idna", "3.7")})


def test_of_two_folders_of_one_distribution_the_last_sorted_counts(tmp_path: Path) -> None:
    root = make_venv(
        tmp_path / "v",
        dists={
            "requests-2.32.3.dist-info": metadata("requests", "2.32.3"),
            "Requests-2.31.0.dist-info": metadata("Requests", "2.31.0"),
        },
    )

    assert_same(installed(inspect(root).site_packages), {"requests": Distribution("requests", "2.32.3")})


@pytest.mark.parametrize("order", [1, -1], ids=["made-in-order", "made-in-reverse"])
def test_of_many_folders_of_one_distribution_the_last_sorted_counts(tmp_path: Path, order: int) -> None:
    letters = "kcqaxfmbz"[::order]
    root = make_venv(
        tmp_path / "v", dists={f"acme_tool-{letter}.dist-info": metadata("acme-tool", letter) for letter in letters}
    )

    assert_same(installed(inspect(root).site_packages), {"acme-tool": Distribution("acme-tool", "z")})


def test_installed_without_site_packages_is_empty(tmp_path: Path) -> None:
    assert_same(installed(None), {})
    assert_same(installed(make_venv(tmp_path / "v", site=None)), {})


# --- the lock file and drift --------------------------------------------------------------


def test_parse_lock() -> None:
    text = "# app.lock\nrequests==2.32.3\n\nFlask_SQLAlchemy == 3.1.1   # via app\n  idna==3.7  \n"

    assert_same(parse_lock(text), {"requests": "2.32.3", "flask-sqlalchemy": "3.1.1", "idna": "3.7"})


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("requests>=2.31\n", 1),
        ("idna==3.7\n\n# ok\nrequests\n", 4),
        ("idna==3.7\n==1.0\n", 2),
        ("idna==\n", 1),
        ("-e .\n", 1),
    ],
)
def test_parse_lock_rejects_a_line_that_is_not_a_pin(text: str, line: int) -> None:
    with pytest.raises(ValueError) as caught:
        parse_lock(text)

    assert str(caught.value).startswith(f"line {line}: "), str(caught.value)


PRESENT = {
    "requests": Distribution("requests", "2.32.3"),
    "flask-sqlalchemy": Distribution("Flask-SQLAlchemy", "3.1.1"),
    "idna": Distribution("idna", "3.7"),
    "pip": Distribution("pip", "24.0"),
    "setuptools": Distribution("setuptools", "69.5.1"),
    "wheel": Distribution("wheel", "0.43.0"),
    "rich": Distribution("rich", "13.7.1"),
}


def test_no_drift() -> None:
    locked = {"requests": "2.32.3", "flask-sqlalchemy": "3.1.1", "idna": "3.7", "rich": "13.7.1"}

    assert_same(drift(PRESENT, locked), [])


def test_drift_one_line_per_distribution_by_name() -> None:
    locked = {"requests": "2.31.0", "flask-sqlalchemy": "3.1.1", "urllib3": "2.2.1", "attrs": "23.2.0"}

    assert_same(
        drift(PRESENT, locked),
        [
            "missing: attrs==23.2.0",
            "extra: idna 3.7",
            "changed: requests 2.32.3, locked 2.31.0",
            "extra: rich 13.7.1",
            "missing: urllib3==2.2.1",
        ],
    )


def test_versions_compare_as_written() -> None:
    present = {"idna": Distribution("idna", "3.7")}

    assert_same(drift(present, {"idna": "3.7.0"}), ["changed: idna 3.7, locked 3.7.0"])
    assert_same(drift({"idna": Distribution("idna", "4.0RC1")}, {"idna": "4.0rc1"}), ["changed: idna 4.0RC1, locked 4.0rc1"])


def test_the_bootstrap_packages_are_never_extra() -> None:
    present = {name: Distribution(name, "1.0") for name in ("pip", "setuptools", "wheel")}

    assert_same(drift(present, {}), [])


def test_the_bootstrap_packages_drift_when_locked() -> None:
    present = {name: Distribution(name, "1.0") for name in ("pip", "setuptools")}

    assert_same(
        drift(present, {"pip": "24.0", "setuptools": "1.0", "wheel": "0.43.0"}),
        ["changed: pip 1.0, locked 24.0", "missing: wheel==0.43.0"],
    )


def test_drift_of_an_empty_venv() -> None:
    assert_same(drift({}, {"b": "2", "a": "1"}), ["missing: a==1", "missing: b==2"])


# --- the command line ---------------------------------------------------------------------


def app_venv(tmp_path: Path) -> Path:
    return make_venv(
        tmp_path / ".venv",
        dists={
            "requests-2.32.3.dist-info": metadata("requests", "2.32.3"),
            "Flask_SQLAlchemy-3.1.1.dist-info": metadata("Flask-SQLAlchemy", "3.1.1"),
            "pip-24.0.dist-info": metadata("pip", "24.0"),
        },
    )


def report(root: Path, *extra: str) -> str:
    return "\n".join(
        [
            f"venv: {root}",
            "python: 3.11.7 (base interpreter in /usr/local/bin)",
            "system site-packages: no",
            "distributions: 3",
            "  Flask-SQLAlchemy 3.1.1",
            "  pip 24.0",
            "  requests 2.32.3",
            *extra,
        ]
    ) + "\n"


def test_main_reports_a_venv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = app_venv(tmp_path)

    assert_same(main([str(root)]), 0)
    assert_same(capsys.readouterr().out, report(root))


def test_main_reports_no_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = app_venv(tmp_path)
    lock = tmp_path / "app.lock"
    lock.write_text("requests==2.32.3\nflask-sqlalchemy==3.1.1\n", encoding="utf-8")

    assert_same(main([str(root), str(lock)]), 0)
    assert_same(capsys.readouterr().out, report(root, "drift: none"))


def test_main_reports_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = app_venv(tmp_path)
    lock = tmp_path / "app.lock"
    lock.write_text("requests==2.31.0\nidna==3.7\n", encoding="utf-8")

    assert_same(main([str(root), str(lock)]), 1)
    assert_same(
        capsys.readouterr().out,
        report(
            root,
            "drift: 3",
            "  extra: flask-sqlalchemy 3.1.1",
            "  missing: idna==3.7",
            "  changed: requests 2.32.3, locked 2.31.0",
        ),
    )


def test_main_reports_an_unknown_version_and_system_site_packages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_venv(tmp_path / "v", cfg="home = /opt/python\ninclude-system-site-packages = true\n", site=None)

    assert_same(main([str(root)]), 0)
    assert_same(
        capsys.readouterr().out,
        f"venv: {root}\npython: unknown (base interpreter in /opt/python)\n"
        "system site-packages: yes\ndistributions: 0\n",
    )


def test_main_reports_a_folder_that_is_not_a_venv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_venv(tmp_path / "project", cfg=None)

    assert_same(main([str(root)]), 2)
    out, err = capsys.readouterr()
    assert_same((out, err), ("", f"error: {root} is not a virtual environment: it has no pyvenv.cfg\n"))


def test_main_reports_a_missing_lock_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = app_venv(tmp_path)
    lock = tmp_path / "missing.lock"

    assert_same(main([str(root), str(lock)]), 2)
    out, err = capsys.readouterr()
    assert_same((out, err), ("", f"error: {lock}: cannot read (No such file or directory)\n"))


def test_main_reports_a_bad_lock_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = app_venv(tmp_path)
    lock = tmp_path / "app.lock"
    lock.write_text("requests==2.32.3\nidna>=3\n", encoding="utf-8")

    assert_same(main([str(root), str(lock)]), 2)
    out, err = capsys.readouterr()
    assert_same(out, "")
    assert err.startswith(f"error: {lock}: line 2: "), err
    assert_same(err.count("\n"), 1, "one line on stderr")


@pytest.mark.parametrize("args", [[], ["a", "b", "c"]])
def test_main_usage(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert_same(main(args), 2)
    out, err = capsys.readouterr()
    assert_same(out, "")
    assert err.startswith("usage: "), err


def test_main_reads_the_process_arguments_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = app_venv(tmp_path)
    monkeypatch.setattr("sys.argv", ["venv_report.py", str(root)])

    assert_same(main(), 0)
    assert_same(capsys.readouterr().out, report(root))
