"""Tests of the checkout's pricing: what a reviewer would ask of it before a release.

Write them here, as functions named test_..., against pricing.py. Run them with
`pytest test_pricing.py`; `pygrade check` also runs them against faulty versions of
pricing.py that you do not see.
"""

from __future__ import annotations
