# Written by pygrade, which rewrites this file when it changes: keep your own code elsewhere.
"""Lets `pytest` run the handed-out tests anywhere in this workspace.

`pygrade check` grades with its own copy of the tests and never reads this file. It is here so
that `pytest` (or `python -m pytest`), typed in an exercise's folder, a module's folder or at
the workspace root, runs the tests as pygrade does:

- each test file imports its exercise's module by name (`from word_count import count_words`),
  so the exercise's folder goes first on `sys.path` before the file is imported;
- the comparison helpers the tests import (`pygrade_graders.compare`) are in
  `.pygrade/python/`, which `pytest.ini` beside this file puts on `sys.path`.
"""

from __future__ import annotations

import sys

import pytest


def pytest_collectstart(collector: pytest.Collector) -> None:
    if not isinstance(collector, pytest.Module):
        return
    root = collector.config.rootpath
    if not collector.path.is_relative_to(root):
        return
    parts = collector.path.relative_to(root).parts
    if len(parts) < 3:  # not inside an exercise's folder, <module>/<exercise>/
        return
    exercise = str(root.joinpath(*parts[:2]))
    if exercise in sys.path:
        sys.path.remove(exercise)
    sys.path.insert(0, exercise)
