"""Characterisation tests: what the legacy aggregator does today, pinned before the rewrite.

Write them against `legacy_logagg` (beside this file): they must pass on it as it is, and
fail on the legacy script with any one of the regressions the README describes.
"""

from legacy_logagg import Summary, render, summarise


def test_an_empty_log_has_no_requests() -> None:
    summary: Summary = summarise([])
    raise NotImplementedError(f"pin what render gives: {render(summary)!r}")
