"""When a failed delivery is tried again: exponential back-off, bounded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Attempt n (1-based) that failed is retried `base * 2**(n-1)` seconds later (at most
    `cap`), until `max_attempts` were made; then the delivery is failed."""

    base: float = 5.0
    max_attempts: int = 8
    cap: float = 3600.0

    def delay(self, attempt: int) -> float | None:
        """Seconds until the next try after failed attempt `attempt`; None: give up."""
        if attempt >= self.max_attempts:
            return None
        return float(min(self.cap, self.base * 2 ** (attempt - 1)))

    def retry_at(self, attempt: int, now: dt.datetime) -> dt.datetime | None:
        delay = self.delay(attempt)
        return None if delay is None else now + dt.timedelta(seconds=delay)
