"""The `logagg` command: reads an access log on stdin and prints its report."""

import argparse
import sys
from importlib.metadata import PackageNotFoundError, version

from logagg.core import render, summarise

DISTRIBUTION = "acme-logagg"


def installed_version() -> str:
    """The version of the installed distribution, from its metadata."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    """Runs the command with `argv` (default: the process's); returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="logagg", description="Summarise an access log read on stdin."
    )
    parser.add_argument(
        "--version", action="version", version=f"logagg {installed_version()}"
    )
    parser.parse_args(argv)
    sys.stdout.write(render(summarise(sys.stdin)))
    return 0
