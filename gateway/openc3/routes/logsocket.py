"""OpenC3's live log socket: `ws://<host>/slave/<slave>/ws?uuid=<uuid>`, as its pages open it.

`uuid` names a task (all its executions' output) or one step of it (`loguuid`); `{slave}` is
taken as given, since a task may span slaves. The frames are OpenC3's: the output stored so far,
then the output as it arrives (`logframes`: whole lines, escaped then coloured, headed by their
node), and the socket closes once the task has ended and its last output is out. A caller who
may not read the task, or a uuid that names none, gets one frame `open log fail: <reason>` and a
close -- another project's task reads exactly like a task that does not exist.

Everything comes from the master's FollowTask stream, pulled one message at a time as frames
are sent: a reader slower than the output holds the stream back (gRPC flow control) instead of
making the gateway buffer the log, and a client that goes away cancels the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from collections.abc import AsyncGenerator

import grpc
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from gateway import schemas
from gateway.auth import socket_refusal
from gateway.errors import FieldError, rpc_failure
from gateway.follow import follow_task
from gateway.openapi import describe
from gateway.openc3 import loguuid, names, words
from gateway.openc3.logframes import LogFrames, status_line
from gateway.upstream import GatewayState, MasterClient
from jobfleet.v1 import common_pb2, task_pb2

logger = logging.getLogger(__name__)

SOCKET = "/slave/{slave}/ws"
OPEN_FAIL = "open log fail: "
CUT_SHORT = "log cut short: "
CLOSE_DONE, CLOSE_REFUSED, CLOSE_BROKEN = 1000, 1008, 1011
FINAL = frozenset(
    {
        common_pb2.EXECUTION_STATUS_SUCCESS,
        common_pb2.EXECUTION_STATUS_FAIL,
        common_pb2.EXECUTION_STATUS_TIMEOUT,
        common_pb2.EXECUTION_STATUS_KILLED,
        common_pb2.EXECUTION_STATUS_LOST,
    }
)


class Refused(Exception):
    """The socket will not follow this log; the message says why, in OpenC3's words."""


async def log_socket(websocket: WebSocket[GatewayState]) -> None:
    """The socket: refuse, or relay the log until the task ends or the client leaves."""
    await websocket.accept()
    master = websocket.state["master"]
    try:
        refusal = socket_refusal(websocket.scope)
        if refusal is not None:
            raise Refused(names.failure_info(refusal))
        ask = await follow_request(master, websocket.query_params.get("uuid", ""))
    except Refused as exc:
        await _close(websocket, OPEN_FAIL + html.escape(str(exc)), CLOSE_REFUSED)
        return
    await relay(websocket, frames(master, ask))


async def follow_request(master: MasterClient, uuid: str) -> task_pb2.FollowTaskRequest:
    """The FollowTask request for the first reading of `uuid` that names a task (and step) the
    caller may read."""
    try:
        readings = loguuid.candidates(uuid)
    except loguuid.BadLogUuid as exc:
        raise Refused(str(exc)) from None
    for reading in readings:
        task = await _task(master, reading.task_uuid)
        if task is not None and _has_step(task, reading):
            return task_pb2.FollowTaskRequest(
                project_id=task.project_id, uuid=task.uuid, subtask_uuid=reading.step_uuid
            )
    raise Refused(f"Non-existent uuid:{uuid}")


async def _task(master: MasterClient, uuid: str) -> common_pb2.Task | None:
    """The caller's task of that uuid; None when there is none (or it is another project's)."""
    try:
        reply = await master.task.GetTask(
            task_pb2.GetTaskRequest(uuid=uuid), timeout=master.timeout
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            return None
        raise Refused(_failure(exc)) from None
    task: common_pb2.Task = reply.task
    return task


def _has_step(task: common_pb2.Task, reading: loguuid.LogTarget) -> bool:
    if not reading.step_uuid:
        return True
    return any(
        sub.uuid == reading.step_uuid and sub.step.WhichOneof("kind") == reading.kind
        for sub in task.subtasks
    )


def _failure(exc: grpc.aio.AioRpcError) -> str:
    return names.failure_info(rpc_failure(exc, names.dialect(SOCKET).rename))


async def frames(master: MasterClient, ask: task_pb2.FollowTaskRequest) -> AsyncGenerator[str]:
    """The log's frames, each message of the stream read only once the last frames are taken;
    the stream is cancelled when this generator is closed early."""
    replies = follow_task(master.task, ask)  # rides out its master's loss (gateway/follow.py)
    framer = LogFrames()
    try:
        async for reply in replies:
            for frame in _framed(framer, reply):
                yield frame
            if reply.WhichOneof("body") == "task":
                return  # the task has ended: the stream's last message
    finally:
        await replies.aclose()


def _framed(framer: LogFrames, reply: task_pb2.FollowTaskResponse) -> list[str]:
    body = reply.WhichOneof("body")
    if body == "output":
        return framer.output(reply.output.execution_id, reply.output.node, reply.output.data)
    if body == "execution" and reply.execution.status in FINAL:
        e = reply.execution
        ok = e.status == common_pb2.EXECUTION_STATUS_SUCCESS
        return framer.ended(e.id, e.node, _ending(e), ok)
    if body == "task":
        task = reply.task
        ok = task.status == common_pb2.TASK_STATUS_SUCCESS
        summary = f"task {words.TASK_STATUS.get(task.status, 'ended')}"
        summary += f": {task.reason}" if task.reason else ""
        return [*framer.finish(), status_line(summary, ok)]
    return []


def _ending(e: common_pb2.Execution) -> str:
    """`node: success, exit 0` / `node: timeout (reason)`."""
    word = words.EXECUTION_STATUS.get(e.status, "ended")
    exited = e.status in (common_pb2.EXECUTION_STATUS_SUCCESS, common_pb2.EXECUTION_STATUS_FAIL)
    line = f"{e.node}: {word}" + (f", exit {e.exit_code}" if exited else "")
    return f"{line} ({e.reason})" if e.reason else line


async def relay(websocket: WebSocket[GatewayState], log: AsyncGenerator[str]) -> None:
    """Send `log` until it ends (then close) or the client leaves (then stop reading it)."""
    sending = asyncio.ensure_future(_send_all(websocket, log))
    listening = asyncio.ensure_future(_until_gone(websocket))
    try:
        done, _ = await asyncio.wait({sending, listening}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sending, listening):
            task.cancel()
        await asyncio.gather(sending, listening, return_exceptions=True)
    if sending in done:
        sending.result()  # what went wrong, if anything did


async def _send_all(websocket: WebSocket[GatewayState], log: AsyncGenerator[str]) -> None:
    async with contextlib.aclosing(log):
        try:
            async for frame in log:
                await websocket.send_text(frame)
        except WebSocketDisconnect:
            return
        except grpc.aio.AioRpcError as exc:
            logger.warning("log socket: the master's stream failed: %s", exc.code().name)
            await _close(websocket, CUT_SHORT + html.escape(_failure(exc)), CLOSE_BROKEN)
            return
    await _close(websocket, "", CLOSE_DONE)


async def _until_gone(websocket: WebSocket[GatewayState]) -> None:
    """Read (and drop) what the client sends -- OpenC3's pages send `H` every 6 s -- until it
    disconnects."""
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass


async def _close(websocket: WebSocket[GatewayState], last_frame: str, code: int) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        if last_frame:
            await websocket.send_text(last_frame)
        await websocket.close(code)


@describe(
    query={
        "uuid": {
            "type": "string",
            "pattern": loguuid.LOG_UUID.pattern.join("^$"),
            "description": "a task's uuid, or `<task uuid><step uuid><cmd|scp>` for one step",
        },
        "token": schemas.text(description="the token, where no header can be set"),
    },
    required_query=["uuid"],
    answers={426: "not a WebSocket handshake: connect with `Upgrade: websocket`"},
)
async def log_socket_handshake(request: Request[GatewayState]) -> Response:
    """GET /slave/{slave}/ws?uuid=<uuid> (a WebSocket): a task's or one step's output, live.

    Open it as a WebSocket (`Upgrade: websocket`); a plain GET is answered 426. Credentials: the
    session cookie, the `token` query parameter, `Authorization: Token <t>` or `appkey`.
    Text frames, each to be appended to a page's HTML followed by `<br/>`: the output stored so
    far, then new output as it arrives, until the task ends and the socket closes (code 1000).
    Output is HTML-escaped, then its ANSI colours become `<font color=...>` and newlines `<br>`;
    each node's lines come under a rule and `<node>:`; an execution's end is a line
    `<node>: <status>, exit <code>`, the task's end `task <status>`. A caller who may not read
    the task, or a uuid that names none, gets one frame `open log fail: <reason>` and a close
    (code 1008); a master failure midway, `log cut short: <reason>` (code 1011)."""
    raise FieldError("Upgrade", "this is a WebSocket: connect with `Upgrade: websocket`", 426)


routes: list[BaseRoute] = [
    WebSocketRoute(SOCKET, log_socket),
    Route(SOCKET, log_socket_handshake, methods=["GET"]),
]
