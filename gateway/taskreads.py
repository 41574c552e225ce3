"""A task's reads (GetTask) answered again from the gateway's memory for a moment, so that pages
polling a task every few milliseconds mostly cost the master nothing: each GetTask the master
serves costs it about as much CPU as a tenth of a small task's whole run.

Kept right: one stream per gateway (TaskService.WatchTaskChanges, opened with the gateway's own
admin token, `GatewayConfig.watch_token`) names every task as it changes; a changed task's
answers are dropped on its notice, and all answers when the stream is lost. An answer is kept
only when the stream was in place before its read began and no notice of its task came while
the read was under way. Without a watch token, or while the stream is down, every read goes to
the master, as before.

Kept per token: an answer is kept under the SHA-256 of the token that read it, with the project
and uuid asked, so one token's answer never answers another token; and for at most
`FRESH_FOR` from the start of its read, after which the master reads the task again and checks
the token's right to it again. A refusal (not found, another project) is never kept.
Long polls (`wait_seconds`) always go to the master.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import grpc

from gateway.auth import CREDENTIALS
from jobfleet.v1 import task_pb2, task_pb2_grpc

logger = logging.getLogger(__name__)

FRESH_FOR = 1.0
"""Seconds an answer is given again: the longest a change can go unseen when its notice is
late, and the longest a token keeps reading a task after losing the right to it."""
MAX_ENTRIES = 4096
MAX_BYTES = 64 << 20
RETRY_AFTER = 1.0  # seconds between attempts to open the stream again

REFUSED = (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)

Key = tuple[bytes, int, int, str]
"""SHA-256 of the token, project id asked (-1: none), numeric id asked, uuid asked."""


def key_of(token: str, project_id: int, task_id: int, uuid: str) -> Key:
    """Where the answer to `token`'s read of (project, id, uuid) is kept."""
    return hashlib.sha256(token.encode()).digest(), project_id, task_id, uuid


@dataclass(frozen=True)
class Read:
    """An answer, and its renderings for as long as it is kept (a document's body for it)."""

    reply: task_pb2.GetTaskResponse
    renders: dict[str, tuple[int, bytes]] = field(default_factory=dict)

    def rendering(self, document: str, second: int) -> bytes | None:
        """What `rendered` gave for `document` in `second`, if it was asked then."""
        kept = self.renders.get(document)
        return kept[1] if kept is not None and kept[0] == second else None

    def rendered(self, document: str, second: int, render: Callable[[], bytes]) -> bytes:
        """`render()`, or what it gave for `document` in the same whole second (a task's
        rendering may show its run time to the second, nothing finer)."""
        kept = self.renders.get(document)
        if kept is not None and kept[0] == second:
            return kept[1]
        body = render()
        self.renders[document] = (second, body)
        return body


@dataclass(frozen=True)
class Kept:
    read: Read
    read_at: float
    size: int


class TaskReads:
    """GetTask answers by (token, request), dropped on their task's change notice."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.clock = clock
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.live = False
        """The change stream is in place: answers may be kept."""
        self._kept: OrderedDict[Key, Kept] = OrderedDict()
        self._keys: dict[int, set[Key]] = {}  # task id -> its kept answers
        self._bytes = 0
        self._reading: dict[int, set[int]] = {}  # id(set) -> tasks changed during a read
        self._losses = 0  # streams lost so far: a read across a loss is not kept

    async def get(
        self, stub: task_pb2_grpc.TaskServiceStub, ask: task_pb2.GetTaskRequest, timeout: float
    ) -> Read:
        """The master's answer to `ask`, given again while fresh (see the module's docstring)."""
        if ask.wait_seconds or not self.live:
            return Read(await stub.GetTask(ask, timeout=timeout))
        key = self._key(ask)
        began = self.clock()
        fresh = self.kept(key, began)
        if fresh is not None:
            return fresh
        self._drop(key)  # read again: the token's right too
        moved: set[int] = set()
        losses = self._losses
        self._reading[id(moved)] = moved
        try:
            reply: task_pb2.GetTaskResponse = await stub.GetTask(ask, timeout=timeout)
        finally:
            del self._reading[id(moved)]
        read = Read(reply)
        if self.live and self._losses == losses and reply.task.id not in moved:
            self._keep(key, read, began)
        return read

    def kept(self, key: Key, now: float) -> Read | None:
        """The answer kept under `key` while fresh at `now` (what `get` gives again), else None."""
        kept = self._kept.get(key)
        if kept is None or now - kept.read_at >= FRESH_FOR:
            return None
        self._kept.move_to_end(key)
        return kept.read

    @staticmethod
    def _key(ask: task_pb2.GetTaskRequest) -> Key:
        project_id = ask.project_id if ask.HasField("project_id") else -1
        return key_of(CREDENTIALS.get(), project_id, ask.id, ask.uuid)

    def _keep(self, key: Key, read: Read, read_at: float) -> None:
        size = 3 * read.reply.ByteSize()  # with a rendering and its whole HTTP answer
        if size > self.max_bytes // 8:  # it would push out many others
            return
        self._drop(key)
        self._kept[key] = Kept(read, read_at, size)
        self._keys.setdefault(read.reply.task.id, set()).add(key)
        self._bytes += size
        while len(self._kept) > self.max_entries or self._bytes > self.max_bytes:
            self._drop(next(iter(self._kept)))

    def _drop(self, key: Key) -> None:
        kept = self._kept.pop(key, None)
        if kept is None:
            return
        self._bytes -= kept.size
        task_id = kept.read.reply.task.id
        keys = self._keys.get(task_id)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._keys[task_id]

    def changed(self, task_ids: Iterable[int]) -> None:
        """Tasks changed: their answers are no longer their state."""
        for task_id in task_ids:
            for key in list(self._keys.get(task_id, ())):
                self._drop(key)
            for moved in self._reading.values():
                moved.add(task_id)

    def lost(self) -> None:
        """The stream is gone: changes may go unseen, so nothing kept holds and nothing is kept."""
        self.live = False
        self._losses += 1
        self._kept.clear()
        self._keys.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._kept)

    async def watch(self, stub: task_pb2_grpc.TaskServiceStub, token: str) -> None:
        """Follow the master's change stream with `token` for as long as the gateway runs,
        opening it again after a loss."""
        CREDENTIALS.set(token)  # this task's own context: its calls carry the watch token
        while True:
            try:
                async for changes in stub.WatchTaskChanges(task_pb2.WatchTaskChangesRequest()):
                    self.changed(changes.task_ids)
                    self.live = True  # the first message (empty) says the watch is in place
            except grpc.aio.AioRpcError as exc:
                logger.warning("task change stream: %s: %s", exc.code().name, exc.details())
                if exc.code() in REFUSED:  # the token will not do: every read goes to the master
                    return
            finally:
                self.lost()
            await asyncio.sleep(RETRY_AFTER)
