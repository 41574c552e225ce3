"""SlaveLink.Attach: one bidirectional stream per slave.

The stream reader feeds the session inbox (stored in order by the intake); the response
generator sends the session's outbound queue. Nothing here decides anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import AsyncIterator
from typing import Any, TypeAlias

import grpc
from google.protobuf import duration_pb2
from jobfleet.v1 import slave_pb2, slave_pb2_grpc

from master import convert
from master.intake import Intake
from master.link import Session, SlaveSessions

logger = logging.getLogger(__name__)
Context: TypeAlias = Any  # grpc.aio.ServicerContext (grpcio has no type information)
HELLO_TIMEOUT = 10.0


class SlaveLinkServicer(slave_pb2_grpc.SlaveLinkServicer):
    def __init__(
        self, intake: Intake, sessions: SlaveSessions, heartbeat: float, join_token: str = ""
    ) -> None:
        self.intake = intake
        self.sessions = sessions
        self.heartbeat = heartbeat
        self._join_token = join_token.encode()

    async def Attach(
        self, request_iterator: AsyncIterator[slave_pb2.SlaveMessage], context: Context
    ) -> AsyncIterator[slave_pb2.MasterMessage]:
        hello = await self._hello(request_iterator, context)
        session = self.sessions.open(hello.name)
        drain = asyncio.create_task(self.intake.drain(session))
        reader = asyncio.create_task(self._read(request_iterator, session))
        try:
            yield slave_pb2.MasterMessage(
                welcome=slave_pb2.Welcome(
                    heartbeat_interval=duration_pb2.Duration(
                        seconds=int(self.heartbeat), nanos=int(self.heartbeat % 1 * 1e9)
                    )
                )
            )
            await self.intake.attach(
                session,
                hello.hostname,
                list(hello.addresses),
                hello.version,
                list(hello.running_execution_ids),
                list(hello.finished_execution_ids),
            )
            while (item := await session.outbound.get()) is not None:
                yield convert.outbound(item)
        finally:
            self.sessions.close(session)
            for task in (reader, drain):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            logger.info("slave %s detached", session.name)

    async def _hello(
        self, request_iterator: AsyncIterator[slave_pb2.SlaveMessage], context: Context
    ) -> slave_pb2.Hello:
        try:
            first = await asyncio.wait_for(anext(request_iterator), HELLO_TIMEOUT)
        except (TimeoutError, StopAsyncIteration):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "hello: expected first")
            raise
        if first.WhichOneof("body") != "hello" or not first.hello.name:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, "hello: expected first, with a name"
            )
        presented = first.hello.join_token.encode()
        if self._join_token and not hmac.compare_digest(presented, self._join_token):
            why = "a wrong join token" if presented else "no join token"
            logger.warning("slave %r refused: %s", first.hello.name[:255], why)
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, f"join refused: {why}")
        return first.hello

    async def _read(
        self, request_iterator: AsyncIterator[slave_pb2.SlaveMessage], session: Session
    ) -> None:
        """Feed the inbox until the slave closes its side, then close ours."""
        try:
            async for msg in request_iterator:
                if msg.WhichOneof("body") == "heartbeat":
                    session.heard(msg.heartbeat.running)
                    continue
                session.heard()
                item = convert.inbound(msg)
                if item is not None:
                    session.inbox.put_nowait(item)
        finally:
            session.outbound.put_nowait(None)
