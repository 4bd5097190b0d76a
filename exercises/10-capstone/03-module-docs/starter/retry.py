# Handed over by the payments team: in production since 2023, no known bugs, no documentation.

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class RetryError(Exception):
    def __init__(self, attempts: int, last_error: BaseException) -> None:
        super().__init__(f"gave up after attempt {attempts}: {last_error!r}")
        self.attempts = attempts
        self.last_error = last_error


@dataclass(frozen=True)
class Backoff:
    initial: float = 0.1
    multiplier: float = 2.0
    maximum: float = 10.0

    def __post_init__(self) -> None:
        if self.initial <= 0:
            raise ValueError(f"initial must be positive, got {self.initial}")
        if self.multiplier < 1:
            raise ValueError(f"multiplier must be at least 1, got {self.multiplier}")
        if self.maximum < self.initial:
            raise ValueError(
                f"maximum must be at least initial ({self.initial}), got {self.maximum}"
            )

    def delay(self, retry: int) -> float:
        if retry < 1:
            raise ValueError(f"retry must be at least 1, got {retry}")
        return min(self.initial * self.multiplier ** (retry - 1), self.maximum)

    def delays(self) -> Iterator[float]:
        for retry in itertools.count(1):
            yield self.delay(retry)


def retry_call(
    func: Callable[[], T],
    *,
    attempts: int = 3,
    backoff: Backoff = Backoff(),
    retry_on: tuple[type[Exception], ...] = (Exception,),
    sleep: Callable[[float], object] = time.sleep,
) -> T:
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    for retry in range(1, attempts):
        try:
            return func()
        except retry_on:
            sleep(backoff.delay(retry))
    try:
        return func()
    except retry_on as err:
        raise RetryError(attempts, err) from err
