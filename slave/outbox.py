"""The outbox: everything the master has not acked yet, in order, plus the live send queue.

Output chunks and results are *kept* until acked, so a reconnect can send them again; started
notices and heartbeats are only *sent* (stale after a reconnect, and Hello says what runs).
A started notice waits a moment before it is queued (`start_hold` per run in progress, at most
`max_start_hold`: under load the master's latency is larger, and runs take longer), and its
run's first output queues it at once, ahead of that output; a result kept before the notice
was written drops it: the result carries the start (started_at, pid), so a short run is one
message to write and one report for the master to store, and a long one shows as running
that moment later than it began.
On attach, `resume()` snapshots every kept message and empties the live queue in one
synchronous step: the snapshot goes first, then whatever is queued after it. Nothing is sent
twice on one stream and nothing kept is skipped.

Kept output is capped in bytes; `wait_for_room()` is where output readers stop reading their
pipes (backpressure to the command) until acks free room. While a stream is up they also stop
while `max_unsent` bytes of output wait to be written on it: what the command writes meanwhile
waits in its pipe and leaves as one big chunk (output.py) rather than many small ones.
"""

from __future__ import annotations

import asyncio
from collections import deque

from slave.messages import Chunk, Heartbeat, Result, Started

Kept = Chunk | Result
Sendable = Chunk | Result | Started | Heartbeat
_Key = tuple[int, int]  # (execution_id, seq); a result takes seq -1
_RESULT = -1
MAX_UNSENT = 1 << 20
START_HOLD = 0.005
"""Seconds a started notice waits for its result, per run in progress (a lone `true` run
ends within it on a quiet machine)."""
MAX_START_HOLD = 0.05
"""The longest a started notice waits (a `true` run at load takes tens of ms, and the
master's submit-to-success latency at load is hundreds)."""


def _key(item: Kept) -> _Key:
    return (item.execution_id, item.seq if isinstance(item, Chunk) else _RESULT)


class Outbox:
    def __init__(
        self,
        max_bytes: int,
        max_unsent: int = MAX_UNSENT,
        start_hold: float = START_HOLD,
        max_start_hold: float = MAX_START_HOLD,
    ) -> None:
        self.max_bytes = max_bytes
        self.max_unsent = max_unsent
        self.start_hold = start_hold
        self.max_start_hold = max_start_hold
        self._held: dict[int, Started] = {}
        """Started notices waiting out `start_hold`, by execution."""
        self._starts: dict[int, Started] = {}
        """Started notices queued and not written yet, by execution."""
        self._ahead_of_output: set[int] = set()
        """Executions whose queued started notice has output queued behind it: the notice
        stays (a run's output never goes before its start)."""
        self._unsent = 0
        """Output bytes in the live queue (not written on the stream yet)."""
        self._streaming = False
        self._sent_room = asyncio.Event()
        self._sent_room.set()
        self._kept: dict[_Key, Kept] = {}  # insertion order = send order
        self._per_execution: dict[int, set[int]] = {}  # kept seqs (and _RESULT) per execution
        self._bytes = 0
        self._live: deque[Sendable] = deque()
        self._live_ready = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._empty = asyncio.Event()
        self._empty.set()

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def unacked_bytes(self) -> int:
        """Output bytes kept, the figure the cap applies to (results count as nothing)."""
        return self._bytes

    def has_result(self, execution_id: int) -> bool:
        return (execution_id, _RESULT) in self._kept

    def finished_ids(self) -> list[int]:
        """Executions whose result waits for its ack, oldest first (for Hello)."""
        return [eid for eid, seq in self._kept if seq == _RESULT]

    def keep(self, item: Kept) -> None:
        """Store until acked, and queue for sending now."""
        key = _key(item)
        if key in self._kept:
            raise ValueError(f"exec {item.execution_id}: {key} is already in the outbox")
        self._kept[key] = item
        self._per_execution.setdefault(item.execution_id, set()).add(key[1])
        if isinstance(item, Chunk):
            self._account(len(item.data))
            if item.execution_id in self._held:  # the start goes ahead of its output
                self._release(self._held[item.execution_id])
            if item.execution_id in self._starts:
                self._ahead_of_output.add(item.execution_id)
        else:  # the result says it all, unless output already follows its start
            self._held.pop(item.execution_id, None)
            if item.execution_id not in self._ahead_of_output:
                self._starts.pop(item.execution_id, None)
            self._ahead_of_output.discard(item.execution_id)
        self._empty.clear()
        self.send(item)

    def send_start(self, started: Started, in_progress: int = 1) -> None:
        """Queue a started notice in a moment (longer with more runs `in_progress`), unless
        its result comes first."""
        hold = min(self.start_hold * max(1, in_progress), self.max_start_hold)
        if hold <= 0:
            self.send(started)
            return
        self._held[started.execution_id] = started
        asyncio.get_running_loop().call_later(hold, self._release, started)

    def _release(self, started: Started) -> None:
        if self._held.get(started.execution_id) is started:
            del self._held[started.execution_id]
            self.send(started)

    def send(self, item: Sendable) -> None:
        """Queue for the current (or next) stream; not kept unless keep() put it here."""
        if isinstance(item, Started):
            self._starts[item.execution_id] = item  # until written, or its result kept
        self._live.append(item)
        self._live_ready.set()
        if isinstance(item, Chunk):
            self._unsend(len(item.data))

    def ack_output(self, execution_id: int, seqs: list[int] | tuple[int, ...]) -> int:
        """Forget acked chunks; unknown seqs (duplicate acks) are ignored. Returns how many."""
        return sum(self._drop((execution_id, seq)) for seq in seqs if seq >= 0)

    def ack_result(self, execution_id: int) -> int:
        """Forget the execution: its result and any chunk still kept (the master has the end)."""
        seqs = list(self._per_execution.get(execution_id, ()))
        return sum(self._drop((execution_id, seq)) for seq in seqs)

    def resume(self) -> list[Kept]:
        """Start a stream: everything kept, in order; the live queue restarts empty."""
        self._live.clear()
        self._starts.clear()
        self._ahead_of_output.clear()
        self._live_ready.clear()
        self._streaming = True
        self._unsend(-self._unsent)
        return list(self._kept.values())

    def detached(self) -> None:
        """The stream ended: nothing is written until the next resume()."""
        self._streaming = False
        self._sent_room.set()

    async def next_live(self) -> Sendable:
        """Next message to write on the current stream; skips kept ones acked meanwhile."""
        while True:
            while not self._live:
                self._live_ready.clear()
                await self._live_ready.wait()
            item = self._live.popleft()
            if isinstance(item, Chunk):
                self._unsend(-len(item.data))
            if isinstance(item, Started):
                if self._starts.get(item.execution_id) is item:
                    del self._starts[item.execution_id]
                    return item
            elif not isinstance(item, Chunk | Result) or self._kept.get(_key(item)) is item:
                return item

    async def wait_for_room(self) -> None:
        """Return once kept output is under the cap, and (while a stream is up) what waits to
        be written on it under `max_unsent`."""
        while True:
            if self._bytes >= self.max_bytes:
                await self._room.wait()
            elif self._streaming and self._unsent >= self.max_unsent:
                self._sent_room.clear()
                await self._sent_room.wait()
            else:
                return

    async def wait_empty(self) -> None:
        """Return once the master has acked everything."""
        await self._empty.wait()

    def _drop(self, key: _Key) -> bool:
        item = self._kept.pop(key, None)
        if item is None:
            return False
        seqs = self._per_execution[key[0]]
        seqs.discard(key[1])
        if not seqs:
            del self._per_execution[key[0]]
        if isinstance(item, Chunk):
            self._account(-len(item.data))
        if not self._kept:
            self._empty.set()
        return True

    def _unsend(self, delta: int) -> None:
        self._unsent += delta
        if self._unsent < self.max_unsent:
            self._sent_room.set()

    def _account(self, delta: int) -> None:
        self._bytes += delta
        if self._bytes < self.max_bytes:
            self._room.set()
        else:
            self._room.clear()
