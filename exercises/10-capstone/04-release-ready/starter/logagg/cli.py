"""The `logagg` command: reads an access log on stdin and prints its report."""


def main(argv: list[str] | None = None) -> int:
    """Runs the command with `argv` (default: the process's); returns the exit status."""
    raise NotImplementedError
