"""Exponential backoff with full jitter and a cap: the slave's one retry helper.

Full jitter (a uniform draw in [0, min(cap, base * 2**attempt)]) keeps a fleet of slaves that
lost the same master from dialling it again in lock-step when it comes back.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

T = TypeVar("T")

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


async def retry(
    attempt: Callable[[], Awaitable[T]],
    backoff: Backoff,
    *,
    tries: int,
    deadline: float | None = None,
    should_giveup: Callable[[Exception], bool] = lambda exc: False,
    on_backoff: Callable[[Exception, float], None] = lambda exc, delay: None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run `attempt` until it returns, `tries` times at most, backing off between failures.

    For one operation that may fail transiently (an SSH connect). The last failure, one that
    `should_giveup(exc)` accepts, and one whose delay would end past `deadline` (a `clock()`
    reading) are re-raised.
    """
    if tries < 1:
        raise ValueError(f"tries must be >= 1, not {tries}")
    done = 0
    while True:
        try:
            return await attempt()
        except Exception as exc:
            done += 1
            delay = backoff.next_delay()
            late = deadline is not None and clock() + delay >= deadline
            if done >= tries or late or should_giveup(exc):
                raise
            on_backoff(exc, delay)
        await sleep(delay)
