"""The bus: a turn's task changes leave as one NOTIFY (split past PostgreSQL's payload limit),
other masters' changes reach this master's followers without being sent back, an inbox
NOTIFY takes the relays, and a lost connection is made again."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from master.cluster.bus import (
    CRONTABS_CHANNEL,
    MAX_PAYLOAD,
    TASKS_CHANNEL,
    Bus,
    payloads,
    task_ids,
)
from master.db.listen import Heard, Lost
from master.store.relays import inbox_channel
from master.tasks.events import TaskEvents

OTHER_MASTER_PID = 4242


class FakeChannel:
    """What the bus needs of a connection, recording what it sent."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.sent: list[list[tuple[str, str]]] = []
        self.listening: list[str] = []
        self.arrived: list[Heard] = []
        self.lost = False
        self.closed = False
        self.ends = socket.socketpair()

    def fileno(self) -> int:
        return self.ends[0].fileno()

    def listen(self, channels: list[str]) -> None:
        self.listening += channels

    def notify(self, messages: list[tuple[str, str]]) -> None:
        self.sent.append(messages)

    def heard(self) -> list[Heard]:
        self.ends[0].recv(64)
        if self.lost:
            raise Lost("server closed the connection unexpectedly")
        arrived, self.arrived = self.arrived, []
        return arrived

    def arrive(self, *notices: Heard) -> None:
        self.arrived += notices
        self.ends[1].send(b"x")

    def close(self) -> None:
        self.closed = True
        for end in self.ends:
            end.close()


class Harness:
    def __init__(self) -> None:
        self.events = TaskEvents()
        self.made: list[FakeChannel] = []
        self.inbox_wakes = 0
        self.bus = Bus("postgresql://x/db", "m1:7070", self.events, self._woken, self._connect)

    def _connect(self, url: str, purpose: str) -> Any:
        channel = FakeChannel(pid=1000 + len(self.made))
        self.made.append(channel)
        return channel

    def _woken(self) -> None:
        self.inbox_wakes += 1

    @property
    def notifies(self) -> list[tuple[str, str]]:
        return [m for c in self.made for batch in c.sent for m in batch]


def run(scenario: Callable[[Harness], Awaitable[None]]) -> Harness:
    async def main() -> Harness:
        harness = Harness()
        await harness.bus.start()
        try:
            await scenario(harness)
        finally:
            await harness.bus.close()
        return harness

    return asyncio.run(asyncio.wait_for(main(), 10))


async def settled(harness: Harness) -> None:
    """Let this turn end and the sending thread send."""
    await asyncio.sleep(0)
    await asyncio.to_thread(harness.bus._sending.submit(lambda: None).result)


def test_payloads_hold_every_id_once_each_within_the_limit() -> None:
    ids = list(range(1, 4000)) * 2

    found = payloads(ids)

    assert len(found) > 1
    assert all(len(p.encode()) <= MAX_PAYLOAD for p in found)
    assert sorted(i for p in found for i in task_ids(p)) == list(range(1, 4000))
    assert payloads([3, 1, 2, 1]) == ["1,2,3"]
    assert payloads([]) == []


def test_a_turns_changes_leave_as_one_notify_and_the_next_turns_as_another() -> None:
    async def scenario(h: Harness) -> None:
        for task_id in (3, 1, 2, 3, 1):
            h.events.publish(task_id)
        await settled(h)
        h.events.publish(9)
        await settled(h)

    h = run(scenario)

    assert h.notifies == [(TASKS_CHANNEL, "1,2,3"), (TASKS_CHANNEL, "9")]


def test_a_turn_of_many_changes_is_split_past_the_payload_limit() -> None:
    async def scenario(h: Harness) -> None:
        for task_id in range(100_000, 103_000):
            h.events.publish(task_id)
        await settled(h)

    h = run(scenario)

    assert len(h.notifies) == len(payloads(range(100_000, 103_000))) > 1
    assert all(len(payload) <= MAX_PAYLOAD for _, payload in h.notifies)
    assert {i for _, p in h.notifies for i in task_ids(p)} == set(range(100_000, 103_000))


def test_another_masters_change_wakes_followers_here_and_is_not_sent_back() -> None:
    woken: list[int] = []

    async def scenario(h: Harness) -> None:
        listener = h.made[0]
        with h.events.subscribe(5) as five, h.events.subscribe(6) as six:
            listener.arrive(Heard(TASKS_CHANNEL, "5,x,7", OTHER_MASTER_PID))
            await asyncio.wait_for(five.wait(), 5)
            woken.append(5)
            h.events.publish(8)  # sent: the sender connection exists from here on
            await settled(h)
            own = h.made[1].pid
            listener.arrive(Heard(TASKS_CHANNEL, "6", own))  # its own NOTIFY, come back
            await asyncio.sleep(0.05)
            assert not six.is_set()

    h = run(scenario)

    assert woken == [5]
    assert h.notifies == [(TASKS_CHANNEL, "8")], "what was heard is not told again"


def test_an_inbox_notify_takes_the_relays() -> None:
    async def scenario(h: Harness) -> None:
        h.made[0].arrive(Heard(inbox_channel("m1:7070"), "", OTHER_MASTER_PID))
        await asyncio.sleep(0.05)
        h.made[0].arrive(Heard(inbox_channel("m2:7070"), "", OTHER_MASTER_PID))
        await asyncio.sleep(0.05)

    h = run(scenario)

    assert h.made[0].listening == [TASKS_CHANNEL, inbox_channel("m1:7070")]
    assert h.inbox_wakes == 1


def test_a_lost_connection_is_made_again_and_the_inbox_looked_at() -> None:
    async def scenario(h: Harness) -> None:
        first = h.made[0]
        first.lost = True
        first.arrive()
        for _ in range(100):
            if len(h.made) > 1 and h.inbox_wakes:
                break
            await asyncio.sleep(0.05)
        again = h.made[1]
        with h.events.subscribe(11) as eleven:
            again.arrive(Heard(TASKS_CHANNEL, "11", OTHER_MASTER_PID))
            await asyncio.wait_for(eleven.wait(), 5)
        assert first.closed

    h = run(scenario)

    assert h.inbox_wakes == 1
    assert h.made[1].listening == [TASKS_CHANNEL, inbox_channel("m1:7070")]


def test_a_crontab_changed_here_is_told_and_one_changed_elsewhere_reloaded_here() -> None:
    reloaded: list[int | None] = []

    async def scenario(h: Harness) -> None:
        await h.bus.close()  # one listening to the crontabs' channel too, in its place
        h.bus = Bus("postgresql://x/db", "m1:7070", h.events, h._woken, h._connect, reloaded.append)
        await h.bus.start()
        h.bus.crontab_changed(7)
        await settled(h)
        listener = h.made[-2]
        own = h.made[-1].pid
        listener.arrive(
            Heard(CRONTABS_CHANNEL, "7", own),  # its own, come back: already reloaded here
            Heard(CRONTABS_CHANNEL, "12", OTHER_MASTER_PID),
            Heard(CRONTABS_CHANNEL, "x", OTHER_MASTER_PID),
        )
        for _ in range(100):
            if reloaded:
                break
            await asyncio.sleep(0.02)
        assert CRONTABS_CHANNEL in listener.listening
        listener.lost = True
        listener.arrive()
        for _ in range(100):
            if len(reloaded) > 1:
                break
            await asyncio.sleep(0.05)

    h = run(scenario)

    assert h.notifies == [(CRONTABS_CHANNEL, "7")]
    assert reloaded == [12, None], "another master's change; then all, after a reconnect"
