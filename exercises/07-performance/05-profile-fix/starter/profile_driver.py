"""Run ``build_report`` on a large made-up access log, to profile it.

    python profile_driver.py                              # just run it and time it
    python -m cProfile -s cumtime profile_driver.py       # profile it, sorted by cumulative time
    python -m cProfile -s tottime profile_driver.py       # ... or by time in the function itself

This file is a tool for you, not part of your solution: it is not graded.
"""

from __future__ import annotations

import random
import time

from log_report import build_report

CLIENTS = 500
LINES = 10_000


def made_up_log(lines: int, seed: int = 2025) -> list[str]:
    """A log of ``lines`` requests from ``CLIENTS`` addresses, some far busier than others."""
    rng = random.Random(seed)
    clients = [f"10.0.{k // 250}.{k % 250 + 1}" for k in range(CLIENTS)]
    weights = [1 / (k + 1) for k in range(CLIENTS)]
    log = []
    for number, ip in enumerate(rng.choices(clients, weights, k=lines)):
        page = rng.choice(["/", "/about", "/search", "/login", f"/items/{rng.randint(1, 999)}"])
        status = rng.choice([200, 200, 200, 200, 304, 404, 500])
        size = "-" if status == 304 else str(rng.randint(100, 50_000))
        minute, second = divmod(number, 60)
        log.append(
            f"{ip} - - [10/Mar/2025:{minute // 60 % 24:02d}:{minute % 60:02d}:{second:02d} +0000]"
            f' "GET {page} HTTP/1.1" {status} {size}\n'
        )
    return log


def main() -> None:
    log = made_up_log(LINES)
    started = time.perf_counter()
    report = build_report(log, top=5)
    elapsed = time.perf_counter() - started
    print(f"{report.requests} requests, {report.errors} errors, {report.malformed} malformed lines")
    print(f"{report.bytes_sent} bytes sent; the busiest clients:")
    for ip, count in report.top_ips:
        print(f"  {ip:<15} {count:>6}")
    print(f"build_report took {elapsed:.3f} s for {LINES} lines")


if __name__ == "__main__":
    main()
