"""Quotas per project, so one project cannot take the master, its database or the slaves from the
others: tasks not yet ended, tasks started per second, crontabs.

A refusal is RESOURCE_EXHAUSTED without a field (the gateway answers 429) and names the quota and
the flag that sets it. Tasks not ended and crontabs are counted in the transaction that writes
the new row (store/tasks.py, store/crontabs.py, which make those refusals), so they hold across
masters sharing a database.
The submission rate is a token bucket per project in this master's memory: masters sharing a
database each allow the rate (documented with the flag). Every submission counts, API
submissions, redos and crontab fires alike, and a refused one too (it cost the master its
checks: a flood of bad ones must not be free); a dry-run starts nothing and is not counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from master.errors import ResourceExhausted

BURST_SECONDS = 5.0
"""A project may start this many seconds' worth of tasks at once after a quiet spell."""
MAX_BUCKETS = 4096
"""Buckets kept at most; full ones (projects quiet for BURST_SECONDS) are dropped past it."""


@dataclass(frozen=True)
class Quotas:
    max_running_tasks: int = 200
    max_submissions_per_second: float = 20.0
    max_crontabs: int = 200


class StartRate:
    """Tasks started per second per project: a token bucket holding up to BURST_SECONDS worth
    of starts, refilled at `per_second`."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self.capacity = max(1.0, per_second * BURST_SECONDS)
        self.clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}  # project: (tokens, at)

    def take(self, project_id: int) -> None:
        """Count one start, or refuse it (RESOURCE_EXHAUSTED) while the bucket is empty."""
        now = self.clock()
        tokens = self._level(project_id, now)
        if tokens < 1.0:
            wait = (1.0 - tokens) / self.per_second
            raise ResourceExhausted(
                f"over quota: project {project_id} starts tasks faster than "
                f"{self.per_second:g} per second (--max-submissions-per-second); "
                f"try again in {wait:.1f} s"
            )
        self._buckets[project_id] = (tokens - 1.0, now)
        if len(self._buckets) > MAX_BUCKETS:
            self._drop_full(now)

    def give_back(self, project_id: int) -> None:
        """Uncount a start taken for nothing (a job submitted again under its uuid: no task)."""
        tokens, at = self._buckets.get(project_id, (self.capacity, self.clock()))
        self._buckets[project_id] = (min(tokens + 1.0, self.capacity), at)

    def _level(self, project_id: int, now: float) -> float:
        tokens, at = self._buckets.get(project_id, (self.capacity, now))
        return min(self.capacity, tokens + (now - at) * self.per_second)

    def _drop_full(self, now: float) -> None:
        full = [p for p in self._buckets if self._level(p, now) >= self.capacity]
        for project_id in full:
            del self._buckets[project_id]
