"""The gateway's client of the master (its upstream): channels and stubs, opened and closed by
the lifespan.

Handlers reach it as `request.state["master"]` (typed by `GatewayState`), never as a global;
the settings a handler needs (the upload cap) come the same way, as `request.state["config"]`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

import grpc
from grpc_health.v1 import health_pb2_grpc
from starlette.applications import Starlette

from gateway.config import GatewayConfig

if TYPE_CHECKING:  # gateway.taskreads builds on gateway.auth, which builds on this module
    from gateway.taskreads import TaskReads
from jobfleet.tls import aio_channel, blocking_channel
from jobfleet.v1 import (
    approval_pb2_grpc,
    auth_pb2_grpc,
    catalog_pb2_grpc,
    cluster_pb2_grpc,
    crontab_pb2_grpc,
    notify_pb2_grpc,
    report_pb2_grpc,
    task_pb2,
    task_pb2_grpc,
    terminal_pb2_grpc,
    vv_pb2_grpc,
)

LOG_PAGE_BYTES = 1 << 20
# A log page is at most LOG_PAGE_BYTES of data; leave room for the envelope around it.
CHANNEL_OPTIONS = [("grpc.max_receive_message_length", 4 * LOG_PAGE_BYTES)]


@dataclass(frozen=True)
class MasterClient:
    """The master's stubs and the deadline (seconds) every call is given."""

    task: task_pb2_grpc.TaskServiceStub
    catalog: catalog_pb2_grpc.CatalogServiceStub
    crontab: crontab_pb2_grpc.CrontabServiceStub
    health: health_pb2_grpc.HealthStub
    timeout: float
    auth: auth_pb2_grpc.TokenServiceStub
    uploads: catalog_pb2_grpc.CatalogServiceStub
    """The catalogue over a blocking channel, for UploadFile only (`gateway.uploads`): when the
    master ends an upload early while a write is in flight, grpcio's aio client may report its
    own INTERNAL instead of the master's status (grpc/grpc#36066); the blocking client does not."""
    versions: vv_pb2_grpc.VersionServiceStub

    approval: approval_pb2_grpc.ApprovalServiceStub
    approval_link: approval_pb2_grpc.ApprovalLinkServiceStub
    """Answers by an approver's link token (no project token: the token is the credential)."""

    report: report_pb2_grpc.ReportServiceStub

    notify: notify_pb2_grpc.NotifyServiceStub

    masters: cluster_pb2_grpc.MasterServiceStub
    """The live masters (GET /masters)."""

    terminal: terminal_pb2_grpc.TerminalServiceStub
    """Tickets, terminal sessions (OpenTerminal carries its credentials itself: no
    interceptor adds them to a bidirectional call), the terminal log and recordings."""

    @classmethod
    def over(
        cls, channel: grpc.aio.Channel, timeout: float, upload_channel: grpc.Channel
    ) -> MasterClient:
        return cls(
            task=task_pb2_grpc.TaskServiceStub(channel),
            catalog=catalog_pb2_grpc.CatalogServiceStub(channel),
            crontab=crontab_pb2_grpc.CrontabServiceStub(channel),
            health=health_pb2_grpc.HealthStub(channel),
            timeout=timeout,
            auth=auth_pb2_grpc.TokenServiceStub(channel),
            uploads=catalog_pb2_grpc.CatalogServiceStub(upload_channel),
            versions=vv_pb2_grpc.VersionServiceStub(channel),
            approval=approval_pb2_grpc.ApprovalServiceStub(channel),
            approval_link=approval_pb2_grpc.ApprovalLinkServiceStub(channel),
            report=report_pb2_grpc.ReportServiceStub(channel),
            notify=notify_pb2_grpc.NotifyServiceStub(channel),
            terminal=terminal_pb2_grpc.TerminalServiceStub(channel),
            masters=cluster_pb2_grpc.MasterServiceStub(channel),
        )

    async def log_pages(
        self, project_id: int, execution_id: int, stderr: bool | None = None
    ) -> AsyncIterator[bytes]:
        """An execution's log as stored so far, one page (<= LOG_PAGE_BYTES) at a time, until
        complete or no progress; only one page is held (an execution of another project is
        NOT_FOUND). `stderr` set: that stream only (False: stdout); None: both, as they came."""
        seq = 0
        while True:
            ask = task_pb2.ReadLogRequest(
                project_id=project_id,
                execution_id=execution_id,
                from_seq=seq,
                max_bytes=LOG_PAGE_BYTES,
                stderr=stderr,
            )
            reply = await self.task.ReadLog(ask, timeout=self.timeout)
            yield reply.data
            if reply.complete or reply.next_seq <= seq:
                return
            seq = reply.next_seq


class GatewayState(TypedDict):
    """What the lifespan hands every request (`request.state`)."""

    master: MasterClient
    config: GatewayConfig
    task_reads: TaskReads


def master_lifespan(
    config: GatewayConfig,
) -> Callable[[Starlette], AbstractAsyncContextManager[GatewayState]]:
    """A lifespan that opens the master channels (lazily connecting) and closes them at the end."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[GatewayState]:
        # Imported here: gateway.auth builds on this module.
        from gateway.auth import BlockingCredentials, aio_credentials
        from gateway.taskreads import TaskReads

        async with aio_channel(
            config.master, config.tls, CHANNEL_OPTIONS, interceptors=aio_credentials()
        ) as channel:
            with blocking_channel(config.master, config.tls) as blocking:
                upload_channel = grpc.intercept_channel(blocking, BlockingCredentials())
                master = MasterClient.over(channel, config.rpc_timeout, upload_channel)
                reads = TaskReads()
                async with watching(reads, master, config.watch_token):
                    yield {"master": master, "config": config, "task_reads": reads}

    return lifespan


@asynccontextmanager
async def watching(reads: TaskReads, master: MasterClient, token: str) -> AsyncIterator[None]:
    """The task change stream followed while open (none without a watch token)."""
    if not token:
        yield
        return
    watch = asyncio.create_task(reads.watch(master.task, token))
    try:
        yield
    finally:
        watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watch
