"""The run page's live stream (`text/event-stream`): FollowTask's output and execution changes
(replayed from the start, so output written before the page opened shows too), and the task's
own status and its steps' statuses, which FollowTask says only at the end, from GetTask's long
poll (at most one call a second per open page). Each event is one JSON object.

Events: `start` (the stream begins: a page that reconnects drops what it had, the replay sends
it again), `output` {execution, node, stderr, text}, `execution` {id, node, step, status,
exit_code, reason, attempt}, `task` {status, reason, final, steps: {uuid: status}, finished,
started (Unix seconds), duration}, `end`.
"""

from __future__ import annotations

import asyncio
import codecs
import json
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import grpc

from gateway.follow import follow_task
from gateway.ui.durations import run_duration, started_unix
from gateway.ui.words import EXECUTION_STATUS, SUBTASK_STATUS, TASK_STATUS
from gateway.upstream import MasterClient
from jobfleet.v1 import common_pb2, task_pb2

FINAL = {
    common_pb2.TASK_STATUS_SUCCESS,
    common_pb2.TASK_STATUS_FAIL,
    common_pb2.TASK_STATUS_KILLED,
    common_pb2.TASK_STATUS_REFUSE,
}
LONG_POLL_SECONDS = 15
"""GetTask waits this long for a change; an unchanged answer is sent on as a keep-alive."""
POLL_GAP_SECONDS = 1.0
"""Between two GetTask answers that changed: output moves the task's etag often."""


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def task_event(task: common_pb2.Task) -> dict[str, Any]:
    return {
        "status": TASK_STATUS.get(task.status, "unknown"),
        "reason": task.reason,
        "final": task.status in FINAL,
        "steps": {s.uuid: SUBTASK_STATUS.get(s.status, "unknown") for s in task.subtasks},
        "finished": task.finished_at.ToDatetime().strftime("%Y-%m-%d %H:%M:%S")
        if task.HasField("finished_at")
        else "",
        "started": started_unix(task),
        "duration": run_duration(task),
    }


def execution_event(e: common_pb2.Execution) -> dict[str, Any]:
    return {
        "id": e.id,
        "node": e.node,
        "step": e.subtask_uuid,
        "status": EXECUTION_STATUS.get(e.status, "unknown"),
        "exit_code": e.exit_code,
        "reason": e.reason,
        "attempt": e.attempt,
    }


class Decoders:
    """One incremental UTF-8 decoder per execution and stream: a character split between two
    messages comes out whole; bad bytes are U+FFFD."""

    def __init__(self) -> None:
        self._kept: dict[tuple[int, bool], codecs.IncrementalDecoder] = {}

    def text(self, execution: int, stderr: bool, data: bytes) -> str:
        key = (execution, stderr)
        if key not in self._kept:
            self._kept[key] = codecs.getincrementaldecoder("utf-8")("replace")
        return self._kept[key].decode(data)


async def _follow(
    master: MasterClient, task: common_pb2.Task, out: asyncio.Queue[bytes | None]
) -> None:
    uuid = task.uuid
    decoders = Decoders()
    sent: dict[int, dict[str, Any]] = {}
    ask = task_pb2.FollowTaskRequest(uuid=uuid)
    async for reply in follow_task(master.task, ask):
        body = reply.WhichOneof("body")
        if body == "output":
            o = reply.output
            text = decoders.text(o.execution_id, o.stderr, o.data)
            if text:
                event = {"execution": o.execution_id, "node": o.node, "stderr": o.stderr}
                await out.put(sse("output", {**event, "text": text}))
        elif body == "execution":
            e = reply.execution
            sent[e.id] = execution_event(e)
            await out.put(sse("execution", sent[e.id]))
        elif body == "task":
            for e in reply.task.executions:  # only what the stream has not said yet
                if sent.get(e.id) != (event := execution_event(e)):
                    await out.put(sse("execution", event))
            await out.put(sse("task", task_event(reply.task)))
            break
    await out.put(sse("end", {}))
    await out.put(None)


async def _watch(
    master: MasterClient, task: common_pb2.Task, etag: str, out: asyncio.Queue[bytes | None]
) -> None:
    """The task's status and steps as they change, until it is final."""
    shown = task_event(task)
    while not shown["final"]:
        ask = task_pb2.GetTaskRequest(
            uuid=task.uuid, wait_seconds=LONG_POLL_SECONDS, seen_etag=etag
        )
        reply = await master.task.GetTask(ask, timeout=master.timeout + LONG_POLL_SECONDS)
        if reply.etag == etag:
            await out.put(b": still running\n\n")
            continue
        etag = reply.etag
        now = task_event(reply.task)
        if now != shown:
            shown = now
            if not now["final"]:  # the final task comes with the follow's end
                await out.put(sse("task", now))
        await asyncio.sleep(POLL_GAP_SECONDS)


async def _guarded(work: Coroutine[Any, Any, None], out: asyncio.Queue[bytes | None]) -> None:
    """`work`, its failure (a refusal, a lost master) told to the page as an `error` event that
    ends the stream."""
    try:
        await work
    except grpc.aio.AioRpcError as exc:
        await out.put(sse("error", {"message": f"the live view stopped: {exc.details()}"}))
        await out.put(None)


async def _end_on(stopping: asyncio.Event, out: asyncio.Queue[bytes | None]) -> None:
    """Ends the stream when the gateway begins to stop: the page's EventSource reconnects by
    itself (to this gateway started again, or another behind the same address)."""
    await stopping.wait()
    await out.put(None)


async def run_events(
    master: MasterClient, task: common_pb2.Task, etag: str, stopping: asyncio.Event
) -> AsyncIterator[bytes]:
    """The stream's bytes until the task is final (see the module's docstring) or the gateway
    stops; a refusal or a lost master midway ends it with an `error` event."""
    out: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=256)
    yield sse("start", {"uuid": task.uuid})
    yield sse("task", task_event(task))
    workers = [
        asyncio.ensure_future(_guarded(_follow(master, task, out), out)),
        asyncio.ensure_future(_guarded(_watch(master, task, etag, out), out)),
        asyncio.ensure_future(_end_on(stopping, out)),
    ]
    try:
        while (item := await out.get()) is not None and not stopping.is_set():
            yield item
    finally:
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
