"""The warm type checker: its findings are the cold command line's, request after request."""

import io
import json
import subprocess
import sys
from pathlib import Path

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
