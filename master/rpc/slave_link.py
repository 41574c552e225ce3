"""SlaveLink.Attach: one bidirectional stream per slave.

The Hello is checked first (master/slaves/enrolment.py: who the slave is, or its enrolment),
then what the slave says it runs is squared with the database, and only then are its reports
read: the intake accepts them for executions dispatched to this slave alone. The response
generator sends the session's outbound queue; an order too large for the link fails its
execution instead of breaking the stream. Nothing here decides anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import grpc
from google.protobuf import duration_pb2

from jobfleet.logs import printable
from jobfleet.v1 import slave_pb2, slave_pb2_grpc
from master.cluster.registry import Registry
from master.domain import Identity
from master.errors import JobfleetError
from master.rpc.context import Context
from master.rpc.convert import slave as convert_slave
from master.rpc.errors import abort
from master.slaves.service import Slaves
from master.slaves.sessions import Session, SlaveSessions
from master.tasks.intake import Intake

logger = logging.getLogger(__name__)
HELLO_TIMEOUT = 10.0
MAX_ORDER_BYTES = (32 << 20) - (64 << 10)
"""The largest message the link carries (the server's send limit), less room for framing."""


class SlaveLinkServicer(slave_pb2_grpc.SlaveLinkServicer):
    def __init__(
        self,
        intake: Intake,
        sessions: SlaveSessions,
        slaves: Slaves,
        heartbeat: float,
        max_upload_bytes: int = 0,
        registry: Registry | None = None,
    ) -> None:
        self.registry = registry
        """In a cluster: marks `slave.attached_to` as streams open and end here."""
        self.intake = intake
        self.sessions = sessions
        self.slaves = slaves
        self.heartbeat = heartbeat
        self.max_upload_bytes = max_upload_bytes

    async def Attach(
        self, request_iterator: AsyncIterator[slave_pb2.SlaveMessage], context: Context
    ) -> AsyncIterator[slave_pb2.MasterMessage]:
        hello = await self._hello(request_iterator, context)
        session = await self._open(hello, context)
        try:
            await self.intake.attach(
                session,
                hello.hostname,
                list(hello.addresses),
                hello.version,
                list(hello.running_execution_ids),
                list(hello.finished_execution_ids),
            )
        except BaseException:
            self.sessions.close(session)
            raise
        if self.registry is not None:
            self.registry.attached(session.name)
        drain = asyncio.create_task(self.intake.drain(session))
        reader = asyncio.create_task(self._read(request_iterator, session))
        try:
            yield slave_pb2.MasterMessage(welcome=self._welcome(session.identity))
            while (item := await session.outbound.get()) is not None:
                message = convert_slave.outbound(item)
                size = message.ByteSize()
                if size > MAX_ORDER_BYTES:
                    await self.intake.undeliverable(session, item, size, MAX_ORDER_BYTES)
                    continue
                yield message
        finally:
            self.sessions.close(session)
            if self.registry is not None and not self.sessions.attached(session.name):
                self.registry.detached(session.name)
            for task in (reader, drain):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            logger.info("slave %s detached", session.name)

    async def _open(self, hello: slave_pb2.Hello, context: Context) -> Session:
        """The slave's session, bound to its identity; the stream is aborted if it has none."""
        try:
            identity = await self.slaves.admit(convert_slave.introduction(hello))
            session = self.sessions.open(identity)
        except JobfleetError as exc:
            logger.warning("slave %s refused: %s", printable(hello.name[:255]), exc)
            await abort(context, exc)
            raise
        if identity.credential:
            logger.info(
                "slave %s enrolled, serving %s", identity.name, identity.describe_projects()
            )
        return session

    def _welcome(self, identity: Identity) -> slave_pb2.Welcome:
        return slave_pb2.Welcome(
            heartbeat_interval=duration_pb2.Duration(
                seconds=int(self.heartbeat), nanos=int(self.heartbeat % 1 * 1e9)
            ),
            credential=identity.credential,
            projects=sorted(identity.projects or ()),
            max_upload_bytes=self.max_upload_bytes,
        )

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
        hello: slave_pb2.Hello = first.hello
        return hello

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
                item = convert_slave.inbound(msg)
                if item is not None:
                    session.inbox.put_nowait(item)
        finally:
            session.outbound.put_nowait(None)
