"""The warm type checker: its findings are the cold command line's, request after request."""

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from pygrade_graders import PROTOCOL_VERSION, typecheck

WELL_TYPED = "def double(n: int) -> int:\n    return n * 2\n"
BADLY_TYPED = "def double(n: int) -> str:\n    return n * 2\n"
BROKEN = "def double(n: int) -> int\n    return n * 2\n"
TEXTS = [WELL_TYPED, BADLY_TYPED, BROKEN, WELL_TYPED]


def jobs(tmp_path: Path) -> list[tuple[Path, list[str]]]:
    """A folder per text, as pygrade gives each check one, and mypy's arguments for it: one
    cache for all, and the file by its full path, as pygrade passes it."""
    made = []
    for i, text in enumerate(TEXTS):
        folder = tmp_path / f"job-{i}"
        folder.mkdir(parents=True)
        (folder / "solution.py").write_text(text)
        cache = str(tmp_path / "cache")
        made.append((folder, ["--output=json", "--strict", "--cache-dir", cache, str(folder / "solution.py")]))
    return made


def cold(folder: Path, args: list[str]) -> dict[str, object]:
    """What `python -m mypy` says, as a reply would."""
    ran = subprocess.run(
        [sys.executable, "-m", "mypy", *args], cwd=folder, capture_output=True, text=True, check=False
    )
    return {"stdout": ran.stdout, "stderr": ran.stderr, "status": ran.returncode}


def test_one_process_answers_each_request_as_the_command_line_would(tmp_path: Path) -> None:
    expected = [cold(folder, args) for folder, args in jobs(tmp_path / "cold")]
    answers = [typecheck.check({"cwd": str(folder), "args": args}) for folder, args in jobs(tmp_path / "warm")]
    assert [a["status"] for a in answers] == [0, 1, 2, 0]
    finding = json.loads(str(answers[1]["stdout"]).splitlines()[0])
    assert finding["code"] == "return-value"
    assert finding["file"] == "solution.py"
    # The same findings, but for the folders' names.
    assert [str(a).replace("/warm/", "/") for a in answers] == [str(e).replace("/cold/", "/") for e in expected]


def test_the_first_line_says_it_is_ready_and_each_request_gets_one_reply(tmp_path: Path) -> None:
    requests = io.StringIO()
    for folder, args in jobs(tmp_path):
        requests.write(json.dumps({"cwd": str(folder), "args": args}) + "\n")
    requests.seek(0)
    replies = io.StringIO()
    typecheck.serve(requests, replies)
    ready, *answers = replies.getvalue().splitlines()
    assert json.loads(ready) == {"ready": True, "protocol": PROTOCOL_VERSION}
    assert [json.loads(a)["status"] for a in answers] == [0, 1, 2, 0]


# Exercises of one learner, each a folder of files, as pygrade lays a job's working folder out.
EXERCISES: dict[str, dict[str, str]] = {
    "well-typed": {"double.py": WELL_TYPED},
    "badly-typed": {"halve.py": BADLY_TYPED.replace("double", "halve")},
    # Its tests import its module; the test module gets a finding of its own.
    "with-tests": {
        "shout.py": "def shout(s: str) -> str:\n    return s.upper()\n",
        "tests/test_shout.py": "from shout import shout\n\n\ndef test_shout() -> None:\n    n: int = shout('a')\n",
    },
    # The same module name as `well-typed`'s, typed differently: they cannot share a build.
    "same-name": {"double.py": BADLY_TYPED},
    # A syntax error stops a build: this one runs on its own.
    "broken": {"broken.py": BROKEN},
    # Imports a module it does not have, which `offers` has: found, in a shared build.
    "borrows": {"borrows.py": "from lent import LENT\n\nX: int = LENT\n"},
    "offers": {"offers.py": "X = 1\n", "lent.py": "LENT = 'not an int'\n"},
    # A failed import is explained once per build: these run on their own.
    "missing-a": {"missing_a.py": "import not_there_a\n"},
    "missing-b": {"missing_b.py": "import not_there_b\n"},
    # A note and no error.
    "reveals": {"reveals.py": "reveal_type(1)\n"},
    # Its module is under src/ and imports one that its folder has (named as an installed
    # package): a run of its own, started there, finds that first; a shared build would not
    # look there, and would find the installed one.
    "src-layout": {"src/app.py": "from pluggy import H\n\nX: int = H\n", "pluggy.py": "H = 1\n"},
}
# Files an exercise has but does not type-check (as a bank's support files).
NOT_CHECKED = {"pluggy.py"}


def exercises(tmp_path: Path) -> list[dict[str, Any]]:
    """Each exercise laid out in a folder of its own, and what to type-check there."""
    made: list[dict[str, Any]] = []
    for key, files in EXERCISES.items():
        root = tmp_path / key / "work"
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        targets = [str(root / name) for name in files if not name.startswith("tests/") and name not in NOT_CHECKED]
        if any(name.startswith("tests/") for name in files):
            targets.append(str(root / "tests"))
        made.append({"key": key, "root": str(root), "targets": targets})
    return made


def test_exercises_checked_together_get_what_a_run_of_their_own_says(tmp_path: Path) -> None:
    args = ["--output=json", "--no-error-summary", "--strict"]
    own = [
        cold(Path(e["root"]), [*args, "--cache-dir", str(tmp_path / "cold-cache"), *e["targets"]])
        for e in exercises(tmp_path / "cold")
    ]
    (tmp_path / "empty").mkdir()
    request = {
        "cwd": str(tmp_path / "empty"),
        "args": [*args, "--cache-dir", str(tmp_path / "cache")],
        "together-cache": str(tmp_path / "together-cache"),
        "exercises": exercises(tmp_path / "warm"),
    }
    for _ in range(2):  # the second time, from mypy's cache
        results = typecheck.check_together(request)["results"]
        for key, expected in zip(EXERCISES, own):
            got = {k: results[key][k] for k in ("stdout", "stderr", "status")}
            assert got == expected, key
        together = {key for key, result in results.items() if result["together"]}
        assert together == {"well-typed", "badly-typed", "with-tests", "reveals"}
    assert json.loads(results["with-tests"]["stdout"])["file"] == "tests/test_shout.py"
    assert results["reveals"]["status"] == 1 and '"severity": "note"' in results["reveals"]["stdout"]
