"""Tests of slugs.py: URL slugs and file names from what users type.

Write them here, as functions named test_..., against slugs.py. Run them with
`pytest test_slugs.py`; `pygrade check` also runs them against faulty versions of slugs.py
that you do not see.
"""

from __future__ import annotations
