"""The gateway's memory of task reads: given again per token and request while fresh, dropped
on the task's change notice, on the stream's loss and after FRESH_FOR; never kept across a
change or loss that came while the read was under way."""

from __future__ import annotations

import asyncio
from typing import Any

from gateway.auth import CREDENTIALS
from gateway.taskreads import FRESH_FOR, TaskReads
from jobfleet.v1 import common_pb2, task_pb2


class Master:
    """GetTask answering the task (id 7) at its current version; `during` runs mid-read."""

    def __init__(self) -> None:
        self.version = 0
        self.asked = 0
        self.during: Any = None

    async def GetTask(self, ask: task_pb2.GetTaskRequest, timeout: float) -> Any:  # noqa: N802
        self.asked += 1
        if self.during is not None:
            self.during()
        await asyncio.sleep(0)
        task = common_pb2.Task(id=7, uuid=ask.uuid, project_id=1)
        return task_pb2.GetTaskResponse(task=task, etag=str(self.version))


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def ask(**fields: Any) -> task_pb2.GetTaskRequest:
    return task_pb2.GetTaskRequest(project_id=1, uuid="T1", **fields)


def reads_of(token: str, reads: TaskReads, master: Master, **fields: Any) -> str:
    async def one() -> str:
        CREDENTIALS.set(token)
        return (await reads.get(master, ask(**fields), 10)).reply.etag

    return asyncio.run(one())


def live() -> tuple[TaskReads, Master, Clock]:
    clock = Clock()
    reads = TaskReads(clock=clock)
    reads.live = True
    return reads, Master(), clock


def test_an_answer_is_given_again_to_its_token_only_until_fresh_for() -> None:
    reads, master, clock = live()
    assert reads_of("a", reads, master) == reads_of("a", reads, master) == "0"
    assert master.asked == 1
    reads_of("b", reads, master)  # another token: the master is asked
    assert master.asked == 2
    clock.now += FRESH_FOR  # the token's right and the task are read again
    reads_of("a", reads, master)
    assert master.asked == 3


def test_a_change_or_a_lost_stream_drops_what_was_kept() -> None:
    reads, master, _ = live()
    reads_of("a", reads, master)
    master.version = 1
    reads.changed([7])
    assert reads_of("a", reads, master) == "1"
    reads.lost()
    assert len(reads) == 0 and not reads.live
    reads_of("a", reads, master)
    reads_of("a", reads, master)
    assert master.asked == 4  # not live: every read goes to the master


def test_a_read_across_a_change_or_a_loss_is_not_kept() -> None:
    reads, master, _ = live()
    master.during = lambda: reads.changed([7])
    reads_of("a", reads, master)
    assert len(reads) == 0

    def lose_and_recover() -> None:
        reads.lost()
        reads.live = True

    master.during = lose_and_recover
    reads_of("a", reads, master)
    assert len(reads) == 0


def test_long_polls_and_other_requests_are_not_answered_from_memory() -> None:
    reads, master, _ = live()
    reads_of("a", reads, master)
    reads_of("a", reads, master, wait_seconds=5)
    reads_of("a", reads, master, id=7)
    assert master.asked == 3
