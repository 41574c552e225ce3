"""Exponential backoff with full jitter and a cap: the slave's one retry helper.

Full jitter (a uniform draw in [0, min(cap, base * 2**attempt)]) keeps a fleet of slaves that
lost the same master from dialling it again in lock-step when it comes back.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import NoReturn

_MAX_EXPONENT = 60  # 2**60 * any sane base is far past any cap; avoids float overflow
_RNG = random.Random()


def compute_backoff(
    attempt: int, *, base: float = 0.2, cap: float = 10.0, rng: random.Random | None = None
) -> float:
    """Seconds to wait before retry number `attempt` (0-based)."""
    if attempt < 0:
        raise ValueError(f"attempt must be >= 0, not {attempt}")
    ceiling = min(cap, base * 2.0 ** min(attempt, _MAX_EXPONENT))
    return (rng or _RNG).uniform(0.0, ceiling)


class Backoff:
    """Counts failures since the last success: next_delay() after a failure, reset() on success."""

    def __init__(
        self, base: float = 0.2, cap: float = 10.0, rng: random.Random | None = None
    ) -> None:
        if base <= 0 or cap < base:
            raise ValueError(f"need 0 < base <= cap, got base={base} cap={cap}")
        self.base = base
        self.cap = cap
        self._rng = rng
        self.attempt = 0

    def next_delay(self) -> float:
        delay = compute_backoff(self.attempt, base=self.base, cap=self.cap, rng=self._rng)
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0


async def retry_forever(
    attempt: Callable[[], Awaitable[object]],
    backoff: Backoff,
    *,
    should_giveup: Callable[[Exception], bool] = lambda exc: False,
    on_backoff: Callable[[Exception, float], None] = lambda exc, delay: None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> NoReturn:
    """Run `attempt` again and again, sleeping a backoff delay after each failure.

    For loops that never finish on purpose (a link to keep open): a normal return counts as a
    failure too. Ends only by cancellation or when `should_giveup(exc)` says so (re-raised).
    """
    while True:
        try:
            await attempt()
            raise ConnectionError("ended without an error")
        except Exception as exc:
            if should_giveup(exc):
                raise
            delay = backoff.next_delay()
            on_backoff(exc, delay)
        await sleep(delay)
