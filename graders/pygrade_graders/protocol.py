"""The results channel: versioned JSON lines written to a pipe that pygrade opens.

Every line is one event object with an `event` key and, on a channel pygrade opened, the
run's `token`. The first line is always `hello`, carrying
the protocol version, so pygrade can refuse a harness it does not understand instead of
misreading it. Each line is flushed as soon as it is written: if the learner's code crashes
the interpreter or hangs until pygrade kills it, every event written before that point is
already on disk.

Events (protocol 1):
    hello          {"protocol": 1, "python": "3.11.7", "pytest": "9.2.0"}
    collected      {"tests": [{"id", "name", "weight", "file", "line"}, ...]}
    collect-error  {"kind": "syntax-error" | "import-error" | "exception", "message", "location"}
    start          {"id"}
    result         {"id", "status": "pass" | "fail" | "error" | "skipped", "message", "location",
                    "output", "output_truncated", "duration_ms"}
    tampered       {"replaced": [name, ...], "inspected": [finding, ...]}, any number of times, as
                   soon as the plugin sees learner code replace what the grading relies on or
                   reach for the tests' frames ("inspected" is left out when empty)
    done           {"exit_status"}
"""

from __future__ import annotations

import json
import json.encoder
import os
from collections.abc import Callable
from typing import IO, Any

from pygrade_graders import PROTOCOL_VERSION

# Text kept from one test's captured output or one failure message, in characters. The head and
# the tail are kept; the middle is replaced by a notice so the learner sees where it was cut.
TEXT_LIMIT = 8_000


def clip(text: str, limit: int = TEXT_LIMIT) -> tuple[str, bool]:
    """Return `text` cut to about `limit` characters (head and tail kept) and whether it was cut."""
    if len(text) <= limit:
        return text, False
    half = limit // 2
    dropped = len(text) - 2 * half
    return f"{text[:half]}\n[... {dropped} characters cut by pygrade ...]\n{text[-half:]}", True


def line_encoder() -> Callable[[dict[str, Any]], str]:
    """What writes an event as `json.dumps(event, ensure_ascii=False)` does, taken now: the
    interpreter's own encoder, written in C, which looks nothing up when it runs. Learner code
    that runs later in the same process and replaces `json.dumps`, or a function of `json`'s
    own that it calls, cannot change what a channel writes."""
    # Not in the type stubs: `None` where `_json` is missing.
    make = getattr(json.encoder, "c_make_encoder", None)
    escape = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or escape is None:  # an interpreter without `_json`
        return lambda event: json.dumps(event, ensure_ascii=False)

    def unknown(value: object) -> object:
        raise TypeError(f"an event cannot hold {type(value).__name__}")

    # As `json.dumps` makes it: no check for cycles (an event has none), `": "` between a key
    # and its value and `", "` between items, keys in their order, NaN allowed.
    encode = make(None, unknown, escape, None, ": ", ", ", False, False, True)
    join = "".join
    return lambda event: join(encode(event, 0))


class Channel:
    """Writes protocol events, one flushed JSON line each."""

    def __init__(self, stream: IO[str], token: str | None = None) -> None:
        self._stream = stream
        self._token = token
        self._encode = line_encoder()

    @classmethod
    def inherited(cls, fd: int, token_fd: int) -> Channel:
        """The channel pygrade opened for this process on descriptor `fd`, with the token every
        event must carry read from descriptor `token_fd`.

        The channel moves to a new descriptor that programs started from here do not inherit,
        and `fd` is closed: a pipe has no name, so code that runs later cannot open the channel
        again. The token descriptor is read to its end and closed, so a line written to the
        channel by anything but this object is told apart.
        """
        with open(token_fd, encoding="ascii") as source:
            token = source.read().strip()
        private = os.dup(fd)
        os.close(fd)
        return cls(open(private, "w", encoding="utf-8", buffering=1), token)

    @classmethod
    def open(cls, path: str) -> Channel:
        # Line buffering plus an explicit flush: each event reaches the file before the next
        # line of learner code runs.
        return cls(open(path, "w", encoding="utf-8", buffering=1))

    @classmethod
    def from_options(
        cls, fd: str | int | None, token_fd: str | int | None, path: str | None
    ) -> Channel | None:
        """The channel a plugin's command-line options name: the inherited descriptors
        pygrade passes, or else a file (for running the plugin by hand); None for neither."""
        if fd is not None and token_fd is not None:
            return cls.inherited(int(fd), int(token_fd))
        if path:
            return cls.open(path)
        return None

    def send(self, event: str, **fields: Any) -> None:
        record = {"event": event, **fields}
        if self._token is not None:
            record = {"token": self._token, **record}
        self._stream.write(self._encode(record) + "\n")
        self._stream.flush()

    def hello(self, **versions: str) -> None:
        self.send("hello", protocol=PROTOCOL_VERSION, **versions)

    def close(self) -> None:
        self._stream.close()
