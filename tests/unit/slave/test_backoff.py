from __future__ import annotations

import asyncio
import random

import pytest

from slave.backoff import Backoff, compute_backoff, retry_forever


def test_delay_stays_within_the_exponential_ceiling() -> None:
    rng = random.Random(1)
    for attempt, ceiling in [(0, 0.2), (1, 0.4), (2, 0.8), (3, 1.6), (5, 6.4)]:
        delays = [compute_backoff(attempt, base=0.2, cap=10.0, rng=rng) for _ in range(500)]
        assert all(0.0 <= d <= ceiling for d in delays)
        # full jitter: the draws spread over the whole range, not bunched at the top
        assert min(delays) < ceiling * 0.1 and max(delays) > ceiling * 0.9


def test_cap_bounds_every_delay_even_for_huge_attempts() -> None:
    rng = random.Random(2)
    delays = [compute_backoff(attempt, cap=10.0, rng=rng) for attempt in range(0, 5000, 7)]
    assert max(delays) <= 10.0
    assert max(delays) > 9.0


def test_negative_attempt_is_refused() -> None:
    with pytest.raises(ValueError):
        compute_backoff(-1)


def test_backoff_counts_attempts_and_reset_starts_over() -> None:
    backoff = Backoff(base=1.0, cap=100.0, rng=random.Random(3))
    for _ in range(6):
        backoff.next_delay()
    assert backoff.attempt == 6
    backoff.reset()
    assert backoff.attempt == 0
    assert all(Backoff(base=1.0, rng=random.Random(s)).next_delay() <= 1.0 for s in range(50))
    assert backoff.next_delay() <= 1.0


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        Backoff(base=0)
    with pytest.raises(ValueError):
        Backoff(base=2, cap=1)


def test_retry_forever_sleeps_growing_delays_and_gives_up_when_told() -> None:
    slept: list[float] = []
    seen: list[tuple[str, float]] = []
    calls = 0

    async def attempt() -> None:
        nonlocal calls
        calls += 1
        raise ConnectionError(f"attempt {calls}") if calls < 4 else KeyError("fatal")

    async def sleep(delay: float) -> None:
        slept.append(delay)

    async def scenario() -> None:
        with pytest.raises(KeyError):
            await retry_forever(
                attempt,
                Backoff(base=1.0, cap=100.0, rng=random.Random(4)),
                should_giveup=lambda exc: isinstance(exc, KeyError),
                on_backoff=lambda exc, delay: seen.append((str(exc), delay)),
                sleep=sleep,
            )

    asyncio.run(scenario())
    assert calls == 4
    assert [s for s, _ in seen] == ["attempt 1", "attempt 2", "attempt 3"]
    assert slept == [d for _, d in seen]
    assert [d <= c for d, c in zip(slept, [1.0, 2.0, 4.0], strict=True)] == [True] * 3


def test_retry_forever_treats_a_normal_return_as_a_failure() -> None:
    calls = 0

    async def attempt() -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyError("stop")

    async def no_sleep(delay: float) -> None:
        pass

    async def scenario() -> None:
        with pytest.raises(KeyError):
            await retry_forever(
                attempt, Backoff(), should_giveup=lambda e: isinstance(e, KeyError), sleep=no_sleep
            )

    asyncio.run(scenario())
    assert calls == 3
