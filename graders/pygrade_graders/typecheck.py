"""A warm type checker: mypy imported once, then one type check per request.

Starting a Python interpreter and importing mypy costs about ten times what mypy then spends
checking one exercise's files against a warm cache. pygrade keeps a few of these processes
alive for a whole run and hands each type check to an idle one, instead of starting
`python -m mypy` for every check of every learner.

The process reads requests from stdin and writes replies to the descriptor that was its
stdout, one JSON line each. Anything else that prints (mypy's crash reports, say) goes to
stderr, so it can never be read as a reply:

    request  {"cwd": "/job/work", "args": ["--strict", "word_count.py", ...]}
    reply    {"stdout": "...", "stderr": "...", "status": 1}

Each request runs `mypy.api.run` with exactly the arguments the cold command line would get,
in the folder the cold command would run in, so the findings are the same. mypy only reads
the learner's files; it never imports or runs them, so no learner code runs in this process.
The first line written is `{"ready": true, "protocol": N}`, once mypy is imported.
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO, Any

from pygrade_graders import PROTOCOL_VERSION


def check(request: dict[str, Any]) -> dict[str, Any]:
    """Type-checks as `request` says and returns the reply."""
    from mypy import api

    os.chdir(request["cwd"])
    stdout, stderr, status = api.run(list(request["args"]))
    return {"stdout": stdout, "stderr": stderr, "status": status}


def serve(requests: IO[str], replies: IO[str]) -> None:
    """Answers every request on `requests` until it ends."""
    from mypy import api  # noqa: F401  (imported once, before the first request)

    def send(reply: dict[str, Any]) -> None:
        replies.write(json.dumps(reply) + "\n")
        replies.flush()

    send({"ready": True, "protocol": PROTOCOL_VERSION})
    for line in requests:
        send(check(json.loads(line)))


def main() -> None:
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin, replies)


if __name__ == "__main__":
    main()
