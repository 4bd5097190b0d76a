"""The `postmortem` command: `postmortem render TITLE ...` and `postmortem placeholders`."""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Sequence
from importlib.metadata import version

from postmortem import placeholders, render

DISTRIBUTION = "acme-postmortem"
SEVERITIES = ("SEV1", "SEV2", "SEV3")


def iso_date(text: str) -> str:
    """`text` when it is a date written `YYYY-MM-DD`; argparse reports anything else."""
    try:
        written = datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        written = None
    if written != text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="postmortem", description="Start an incident postmortem.")
    parser.add_argument("--version", action="version", version=f"postmortem {version(DISTRIBUTION)}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    render_command = commands.add_parser("render", help="print the template filled in")
    render_command.add_argument("title")
    render_command.add_argument("--severity", required=True, choices=SEVERITIES)
    render_command.add_argument("--date", required=True, type=iso_date, help="YYYY-MM-DD")
    render_command.add_argument("--owner", default="unassigned")

    commands.add_parser("placeholders", help="list the template's placeholders")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with `argv` (the process's arguments by default); its exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "render":
        print(render(title=args.title, severity=args.severity, date=args.date, owner=args.owner), end="")
    else:
        print("\n".join(placeholders()))
    return 0
