# Reproduces the night's crash with the untouched module and returns the frame that raised.
from __future__ import annotations

from datetime import date
from types import FrameType

from nightly_report import build_report


def crashed_frame() -> tuple[KeyError, FrameType]:
    with open("tests/data/store-12.csv", encoding="utf-8", newline="") as handle:
        try:
            build_report("12", handle, date(2024, 3, 10))
        except KeyError as error:
            tb = error.__traceback__
            assert tb is not None
            while tb.tb_next is not None:  # the last frame of a traceback is where it raised
                tb = tb.tb_next
            return error, tb.tb_frame
    raise SystemExit("the report did not crash")
