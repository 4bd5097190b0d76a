"""The warm pytest worker's preload: a session that follows it imports none of pytest's own
modules again, nor the debugger its `breakpoint()` support needs."""

import json
import subprocess
import sys
from pathlib import Path

SESSION = """
import json, sys
import pygrade_graders.pytest_preload
import pytest
before = set(sys.modules)
status = pytest.main(["-q", "-p", "no:cacheprovider", sys.argv[1]])
late = sorted(m for m in set(sys.modules) - before if m.startswith(("_pytest", "pdb")))
print(json.dumps({"status": int(status), "late": late}))
"""


def test_a_session_after_the_preload_imports_no_module_of_pytest(tmp_path: Path) -> None:
    test = tmp_path / "test_one.py"
    test.write_text("def test_one(tmp_path, monkeypatch, capsys):\n    print('x')\n    assert True\n")
    done = subprocess.run(
        [sys.executable, "-c", SESSION, str(test)], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"status": 0, "late": []}, done.stdout + done.stderr
