"""Helpers for the slave's unit tests: a collecting sink, deadline polling, a scriptable master,
and the types of conftest.py's factory fixtures.

(Fixtures live in conftest.py; plain helpers here.)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

import grpc

from jobfleet.v1 import slave_pb2, slave_pb2_grpc
from slave.commands.cgroups import CgroupRoot
from slave.commands.run import RunProcess
from slave.config import SlaveConfig
from slave.messages import Chunk, Result, ScriptType, Started

WAIT = 10.0  # generous deadline for anything that should happen "soon"


class ListSink:
    """An OutputSink that keeps everything in lists."""

    def __init__(self) -> None:
        self.started_: list[Started] = []
        self.chunks: list[Chunk] = []
        self.results: list[Result] = []
        self.finished_event = asyncio.Event()

    def started(self, started: Started) -> None:
        self.started_.append(started)

    async def output(self, chunk: Chunk) -> None:
        self.chunks.append(chunk)

    def finished(self, result: Result) -> None:
        self.results.append(result)
        self.finished_event.set()

    @property
    def output_bytes(self) -> bytes:
        return b"".join(c.data for c in self.chunks)

    def stream_bytes(self, stderr: bool) -> bytes:
        """One stream's output (the chunks of stderr, or of stdout)."""
        return b"".join(c.data for c in self.chunks if c.stderr == stderr)

    @property
    def pieces(self) -> list[tuple[bool, bytes]]:
        """(stderr, data) of each chunk, in seq order."""
        return [(c.stderr, c.data) for c in sorted(self.chunks, key=lambda c: c.seq)]

    @property
    def result(self) -> Result:
        assert len(self.results) == 1, self.results
        return self.results[0]


async def poll(predicate: Callable[[], bool], timeout: float = WAIT, step: float = 0.02) -> None:
    """Wait until predicate() holds; fail the test after `timeout` s."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(step)


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


# --- a scriptable master ---------------------------------------------------------------------


class Stream:
    """One Attach stream as the fake master sees it: what came in, and what to send."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[slave_pb2.SlaveMessage] = asyncio.Queue()
        self.heartbeats: list[int] = []
        """The running count of every heartbeat, kept apart from the other messages."""
        self.outgoing: asyncio.Queue[Any] = asyncio.Queue()
        self.ended = asyncio.Event()

    def send(self, **body: Any) -> None:
        self.outgoing.put_nowait(slave_pb2.MasterMessage(**body))

    def welcome(self, heartbeat: float = 30.0) -> None:
        self.send(
            welcome=slave_pb2.Welcome(
                heartbeat_interval={"seconds": int(heartbeat), "nanos": int(heartbeat % 1 * 1e9)}
            )
        )

    def close(self) -> None:
        """End the stream with status OK (the way a master drops a replaced stream)."""
        self.outgoing.put_nowait(None)

    def abort(self, code: grpc.StatusCode, details: str) -> None:
        self.outgoing.put_nowait((code, details))

    async def next(self, *kinds: str, timeout: float = WAIT) -> Any:
        """The next message (heartbeats aside); it must be one of `kinds`."""
        async with asyncio.timeout(timeout):
            message = await self.received.get()
        kind = message.WhichOneof("body")
        assert kind in kinds, f"expected one of {kinds}, got {kind}: {message}"
        return getattr(message, kind)

    def drain(self) -> list[tuple[str, Any]]:
        """Everything received and not taken yet (heartbeats aside)."""
        items = []
        while not self.received.empty():
            message = self.received.get_nowait()
            kind = message.WhichOneof("body")
            items.append((kind, getattr(message, kind)))
        return items


class FakeMaster(slave_pb2_grpc.SlaveLinkServicer):
    def __init__(self) -> None:
        self.streams: asyncio.Queue[Stream] = asyncio.Queue()

    async def next_stream(self, timeout: float = WAIT) -> Stream:
        async with asyncio.timeout(timeout):
            return await self.streams.get()

    async def Attach(self, request_iterator: Any, context: Any) -> AsyncIterator[Any]:
        stream = Stream()
        self.streams.put_nowait(stream)

        async def pump() -> None:
            async for message in request_iterator:
                if message.WhichOneof("body") == "heartbeat":
                    stream.heartbeats.append(message.heartbeat.running)
                else:
                    stream.received.put_nowait(message)

        reader = asyncio.create_task(pump())
        try:
            while (item := await stream.outgoing.get()) is not None:
                if isinstance(item, tuple):
                    await context.abort(*item)
                yield item
        finally:
            reader.cancel()
            stream.ended.set()


class MakeRun(Protocol):
    """The make_run fixture: a command running `script` and the sink it reports to; keywords
    beyond the request's replace fields of the test's CommandSettings."""

    def __call__(
        self,
        script: str,
        type: ScriptType | None = ...,
        *,
        execution_id: int = ...,
        args: tuple[str, ...] = ...,
        timeout: float | None = ...,
        user: str = ...,
        env: dict[str, str] | None = ...,
        cgroups: CgroupRoot | None = ...,
        **overrides: Any,
    ) -> tuple[RunProcess, ListSink]: ...


class MakeConfig(Protocol):
    """The slave_config fixture: a config for a slave of `master`; keywords override fields."""

    def __call__(self, master: str, **overrides: Any) -> SlaveConfig: ...


StartMaster = Callable[[], contextlib.AbstractAsyncContextManager[tuple[FakeMaster, str]]]
"""The fake_master fixture: `async with fake_master() as (master, address)` serves one."""
