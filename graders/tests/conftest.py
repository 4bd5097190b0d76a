"""pytester runs pytest inside a temporary folder: the plugin is tested the way pygrade uses it."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def graders_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest runs in a subprocess, which must import the package under test as pygrade's does."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
