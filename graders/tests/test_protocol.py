"""The results channel: clipping and the event lines."""

import io
import json

from pygrade_graders import PROTOCOL_VERSION
from pygrade_graders.protocol import Channel, clip


def test_short_text_is_kept_whole() -> None:
    assert clip("hello", limit=10) == ("hello", False)


def test_long_text_keeps_head_and_tail_with_a_notice() -> None:
    text = "a" * 50 + "b" * 50
    clipped, cut = clip(text, limit=20)
    assert cut
    assert clipped.startswith("a" * 10) and clipped.endswith("b" * 10)
    assert "80 characters cut by pygrade" in clipped


def test_every_event_is_one_json_line_and_hello_carries_the_version() -> None:
    stream = io.StringIO()
    channel = Channel(stream)
    channel.hello(python="3.11.7", pytest="9.2.0")
    channel.send("start", id="tests/test_x.py::test_y")
    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["hello", "start"]
    assert json.loads(lines[0])["protocol"] == PROTOCOL_VERSION
