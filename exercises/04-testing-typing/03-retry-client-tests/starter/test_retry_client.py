"""Tests of the retrying client: what it retries, how long it waits, and how it gives up.

Write them here, as functions named test_..., against retry_client.py. Run them with
`pytest test_retry_client.py`; `pygrade check` also runs them against faulty versions of
retry_client.py that you do not see.
"""

from __future__ import annotations
