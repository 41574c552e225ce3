"""A copy's output: whole lines through the command sink (so they stream live and are stored
like a script's output), progress while bytes move, and the summary line's wording."""

from __future__ import annotations

import time
from collections.abc import Callable

from slave.commands.base import OutputSink
from slave.messages import Chunk

STEP = 0.1
"""A progress line each time another tenth of the bytes has moved (at most every GAP s)..."""
GAP = 0.5
INTERVAL = 2.0
"""...or this many seconds after the last line, whichever comes first."""
QUIET_BELOW = 8 << 20
"""Transfers of known size under this take no progress lines (they are over in a blink)."""


class CopyLog:
    """Lines to the execution's output, one chunk each; `chunks` counts those kept so far."""

    def __init__(self, execution_id: int, sink: OutputSink) -> None:
        self.execution_id = execution_id
        self.chunks = 0
        self._sink = sink

    async def line(self, text: str) -> None:
        chunk = Chunk(self.execution_id, self.chunks, f"{text}\n".encode())
        await self._sink.output(chunk)  # may wait for outbox room
        self.chunks += 1  # only once the sink took it: a cancelled wait leaves no gap


class Progress:
    """Counts the bytes of one transfer and reports them now and then."""

    def __init__(
        self, log: CopyLog, total: int | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.total = total
        """Bytes expected; None when unknown (a directory's tar)."""
        self.done = 0
        self._log = log
        self._clock = clock
        self.began = clock()
        self._last = self.began
        self._next = STEP

    @property
    def elapsed(self) -> float:
        return self._clock() - self.began

    async def add(self, size: int) -> None:
        self.done += size
        now = self._clock()
        if self._due(now):
            self._last = now
            await self._log.line(self._text(now))

    def _due(self, now: float) -> bool:
        if self.total is not None and (self.total < QUIET_BELOW or self.done >= self.total):
            return False
        since = now - self._last
        if self.total and self.done / self.total >= self._next and since >= GAP:
            self._next = (int(self.done / self.total / STEP) + 1) * STEP
            return True
        return since >= INTERVAL

    def _text(self, now: float) -> str:
        rate = rate_text(self.done, now - self.began)
        if self.total:
            share = int(100 * self.done / self.total)
            return f"  {self.done} of {self.total} bytes ({share}%), {rate}"
        return f"  {self.done} bytes, {rate}"


def rate_text(size: int, seconds: float) -> str:
    """`105 MB/s` (decimal megabytes, as transfer tools print them)."""
    per_second = size / max(seconds, 1e-6) / 1e6
    return f"{per_second:.1f} MB/s" if per_second < 10 else f"{per_second:.0f} MB/s"


def took_text(size: int, seconds: float) -> str:
    """`in 1.9 s (105 MB/s)`."""
    return f"in {seconds:.1f} s ({rate_text(size, seconds)})"


def short_sha(sha256: str) -> str:
    return f"{sha256[:12]}…"
