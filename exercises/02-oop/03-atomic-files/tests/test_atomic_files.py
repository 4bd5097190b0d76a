"""Tests for atomic_files.py."""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from pygrade_graders.compare import assert_same

from atomic_files import Staged, atomic_write


def names(folder: Path) -> list[str]:
    """The names in ``folder``, hidden ones included, sorted."""
    return sorted(entry.name for entry in folder.iterdir())


class Boom(Exception):
    """An error raised by a test in the middle of a block."""


# --- atomic_write -------------------------------------------------------------


def test_writes_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"

    with atomic_write(target) as file:
        file.write("total: 42\n")

    assert_same(target.read_text(encoding="utf-8"), "total: 42\n")
    assert_same(names(tmp_path), ["report.txt"], "no temporary file may be left behind")


def test_replaces_the_whole_old_content(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("a much longer old report\nwith two lines\n", encoding="utf-8")

    with atomic_write(str(target)) as file:
        file.write("short\n")

    assert_same(target.read_text(encoding="utf-8"), "short\n")
    assert_same(names(tmp_path), ["report.txt"])


@pytest.mark.weight(2)
def test_writes_to_a_temporary_file_in_the_targets_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the temporary file belongs next to the target, not here
    target = folder / "settings.json"
    target.write_text("old", encoding="utf-8")

    with atomic_write(target) as file:
        file.write("new")
        file.flush()
        # While the block runs, readers of the target still see the old content.
        assert_same(target.read_text(encoding="utf-8"), "old")
        [temporary] = [name for name in names(folder) if name != "settings.json"]
        assert_same((folder / temporary).read_text(encoding="utf-8"), "new")
        assert_same(names(elsewhere), [])

    assert_same(target.read_text(encoding="utf-8"), "new")
    assert_same(names(folder), ["settings.json"])


@pytest.mark.weight(2)
def test_an_error_in_the_block_keeps_the_old_content(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old report\n", encoding="utf-8")
    error = Boom("the database went away")

    with pytest.raises(Boom) as caught:
        with atomic_write(target) as file:
            file.write("half a new rep")
            raise error

    assert caught.value is error, "the block's own exception must propagate"
    assert_same(target.read_text(encoding="utf-8"), "old report\n")
    assert_same(names(tmp_path), ["report.txt"], "the temporary file must be removed")


def test_an_error_in_the_block_creates_no_file(tmp_path: Path) -> None:
    with pytest.raises(Boom):
        with atomic_write(tmp_path / "report.txt") as file:
            file.write("partial")
            raise Boom

    assert_same(names(tmp_path), [])


def test_an_interrupt_in_the_block_also_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old", encoding="utf-8")

    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target) as file:
            file.write("new")
            raise KeyboardInterrupt

    assert_same(target.read_text(encoding="utf-8"), "old")
    assert_same(names(tmp_path), ["report.txt"])


def test_the_file_is_closed_after_the_block(tmp_path: Path) -> None:
    with atomic_write(tmp_path / "ok.txt") as written:
        written.write("x")
    with pytest.raises(Boom):
        with atomic_write(tmp_path / "failed.txt") as failed:
            raise Boom

    assert written.closed and failed.closed


def test_writes_bytes_in_binary_mode(tmp_path: Path) -> None:
    target = tmp_path / "image.bin"

    with atomic_write(target, "wb") as file:
        file.write(b"\x89PNG\r\n\x00")

    assert_same(target.read_bytes(), b"\x89PNG\r\n\x00")


def test_text_is_written_in_the_given_encoding(tmp_path: Path) -> None:
    target = tmp_path / "names.txt"

    with atomic_write(target, encoding="latin-1") as file:
        file.write("Zoë")
    with atomic_write(tmp_path / "default.txt") as file:
        file.write("Zoë")

    assert_same(target.read_bytes(), b"Zo\xeb")
    assert_same((tmp_path / "default.txt").read_bytes(), b"Zo\xc3\xab", "utf-8 by default")


@pytest.mark.parametrize("mode", ["a", "r", "w+", "x", "wt+", "ab"])
def test_modes_other_than_w_and_wb_are_refused(tmp_path: Path, mode: str) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old", encoding="utf-8")

    with pytest.raises(ValueError, match=re.escape(repr(mode))):
        with atomic_write(target, mode):
            pass

    assert_same(names(tmp_path), ["report.txt"])
    assert_same(target.read_text(encoding="utf-8"), "old")


def test_an_unknown_encoding_is_refused_before_any_file_is_made(tmp_path: Path) -> None:
    with pytest.raises(LookupError):
        with atomic_write(tmp_path / "report.txt", encoding="utf-9"):
            pass

    assert_same(names(tmp_path), [])


@pytest.mark.weight(2)
def test_a_failed_replace_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "reports"
    target.mkdir()  # a folder cannot be replaced by a file
    (target / "kept.txt").write_text("kept", encoding="utf-8")

    with pytest.raises(OSError):
        with atomic_write(target) as file:
            file.write("new")

    assert_same(names(tmp_path), ["reports"])
    assert_same((target / "kept.txt").read_text(encoding="utf-8"), "kept")


def test_the_target_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "app.conf"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)

    with atomic_write(target) as file:
        file.write("new")

    assert_same(target.read_text(encoding="utf-8"), "new")
    assert_same(oct(stat.S_IMODE(target.stat().st_mode)), oct(0o640))


# --- Staged -------------------------------------------------------------------


def write_settings(path: Path, settings: dict[str, object]) -> None:
    path.write_text(json.dumps(settings), encoding="utf-8")


def read_settings(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.weight(2)
def test_staged_changes_are_written_when_the_block_ends(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    write_settings(path, {"theme": "dark", "retries": 3, "beta": True})
    staged = Staged(path)

    with staged as settings:
        assert settings is staged, "__enter__ should return the Staged itself"
        settings.set("retries", 5)
        settings.set("region", "eu-west-1")
        settings.delete("beta")
        assert_same(settings.get("retries"), 5)
        assert_same(settings.get("beta"), None)
        assert_same(settings.get("beta", "gone"), "gone")
        assert_same(settings.get("theme"), "dark")
        assert_same(read_settings(path), {"theme": "dark", "retries": 3, "beta": True})

    assert_same(read_settings(path), {"theme": "dark", "retries": 5, "region": "eu-west-1"})
    assert_same(names(tmp_path), ["settings.json"])


def test_settings_are_written_as_indented_sorted_json(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"

    with Staged(path) as settings:
        settings.set("zone", "b")
        settings.set("limits", {"max": 10, "min": 1})

    assert_same(
        path.read_text(encoding="utf-8"),
        '{\n  "limits": {\n    "max": 10,\n    "min": 1\n  },\n  "zone": "b"\n}\n',
    )


@pytest.mark.weight(2)
def test_an_error_in_the_block_writes_nothing_and_propagates(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    write_settings(path, {"theme": "dark"})
    before = path.read_bytes()
    error = Boom("validation failed")

    with pytest.raises(Boom) as caught:
        with Staged(path) as settings:
            settings.set("theme", "light")
            settings.delete("theme")
            raise error

    assert caught.value is error
    assert_same(path.read_bytes(), before)
    assert_same(names(tmp_path), ["settings.json"])


def test_exit_returns_false_so_that_exceptions_propagate(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    staged = Staged(path)
    staged.__enter__()
    staged.set("theme", "light")

    result = staged.__exit__(Boom, Boom("x"), None)

    assert_same(result, False)
    assert_same(names(tmp_path), [])


def test_a_missing_file_starts_empty_and_is_created(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"

    with Staged(path) as settings:
        assert_same(settings.get("theme"), None)
        settings.set("theme", "dark")

    assert_same(read_settings(path), {"theme": "dark"})


def test_a_block_that_changes_nothing_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"theme":"dark"}', encoding="utf-8")  # not as Staged would write it

    with Staged(path) as settings:
        assert_same(settings.get("theme"), "dark")
    with Staged(tmp_path / "missing.json") as settings:
        assert_same(settings.get("theme"), None)

    assert_same(path.read_text(encoding="utf-8"), '{"theme":"dark"}')
    assert_same(names(tmp_path), ["settings.json"])


def test_a_later_block_that_changes_nothing_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    staged = Staged(path)
    with staged:
        staged.set("theme", "dark")
    path.write_text('{"theme":"light"}', encoding="utf-8")  # someone else changed it since

    with staged:
        assert_same(staged.get("theme"), "light")

    assert_same(path.read_text(encoding="utf-8"), '{"theme":"light"}')


def test_deleting_a_missing_key_raises_key_error_and_aborts_the_block(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    write_settings(path, {"theme": "dark"})

    with pytest.raises(KeyError):
        with Staged(path) as settings:
            settings.set("theme", "light")
            settings.delete("colour")

    assert_same(read_settings(path), {"theme": "dark"})


def test_a_value_that_is_not_json_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"

    with Staged(path) as settings:
        with pytest.raises(TypeError):
            settings.set("started", object())
        settings.set("theme", "dark")

    assert_same(read_settings(path), {"theme": "dark"})


@pytest.mark.parametrize("action", ["get", "set", "delete"])
def test_settings_are_only_used_inside_a_block(tmp_path: Path, action: str) -> None:
    path = tmp_path / "settings.json"
    write_settings(path, {"theme": "dark"})
    staged = Staged(path)
    with staged:
        pass
    calls: dict[str, Callable[[], object]] = {
        "get": lambda: staged.get("theme"),
        "set": lambda: staged.set("theme", "light"),
        "delete": lambda: staged.delete("theme"),
    }

    with pytest.raises(RuntimeError):
        calls[action]()

    assert_same(read_settings(path), {"theme": "dark"})


@pytest.mark.weight(2)
def test_entering_the_same_staged_twice_at_once_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    write_settings(path, {"theme": "dark"})
    staged = Staged(path)

    with pytest.raises(RuntimeError):
        with staged:
            staged.set("theme", "light")
            with staged:
                staged.set("theme", "blue")

    assert_same(read_settings(path), {"theme": "dark"})
    with staged:  # usable again once the outer block has ended
        staged.set("theme", "green")
    assert_same(read_settings(path), {"theme": "green"})


def test_each_block_starts_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    staged = Staged(path)

    with staged:
        staged.set("a", 1)
    write_settings(path, {"a": 1, "b": 2})  # someone else changed it in between
    with staged:
        staged.set("c", 3)

    assert_same(read_settings(path), {"a": 1, "b": 2, "c": 3})


def test_a_file_that_is_not_a_json_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("[1, 2]", encoding="utf-8")
    staged = Staged(path)

    with pytest.raises(ValueError):
        with staged:
            staged.set("theme", "dark")

    assert_same(path.read_text(encoding="utf-8"), "[1, 2]")
    with pytest.raises(RuntimeError):
        staged.set("theme", "dark")


@pytest.mark.weight(2)
def test_settings_are_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "settings.json"
    write_settings(path, {"theme": "dark"})
    before = path.read_bytes()

    def full_disk(src: object, dst: object) -> None:
        raise OSError("no space left on device")

    # The last step of an atomic write fails: the old file must be untouched.
    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="no space"):
        with Staged(path) as settings:
            settings.set("theme", "light")

    assert_same(path.read_bytes(), before)
    assert_same(names(tmp_path), ["settings.json"])
