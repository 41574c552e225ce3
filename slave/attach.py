"""The link to the master: one SlaveLink.Attach stream, dialled again forever with backoff.

With files.py (FileService), the only module that touches gRPC. Each stream: Hello, wait for
Welcome, resend the outbox, then live (a writer, a reader and heartbeats) until the stream or
the connection fails.

With several masters (`--master a:7070,b:7070`, one database behind them) the slave dials one
at a time (`jobfleet.masters.Rotation`: its start is a hash of its name, so a fleet spreads):
when the stream fails, or a master cannot be reached within `connect_timeout`, the next one is
dialled at once, and the backoff delay comes only once every master has failed in a row. The
new master gets the outbox's unacked messages, as a restarted one would.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

import grpc

from jobfleet.masters import Rotation
from jobfleet.tls import aio_channel
from jobfleet.v1 import slave_pb2_grpc
from slave import convert
from slave.backoff import Backoff
from slave.config import SlaveConfig
from slave.executions import Executions
from slave.files import MasterFiles
from slave.messages import (
    FetchRequest,
    FromMaster,
    Heartbeat,
    Hello,
    KillRequest,
    OutputAck,
    PlaceRequest,
    ResultAck,
    RunRequest,
    TerminalRequest,
    Welcome,
)
from slave.outbox import Kept, Outbox

logger = logging.getLogger(__name__)

CHANNEL_OPTIONS = [
    # Ping every 10 s, give up 5 s later: a dead master (or a silent network) is noticed in
    # 10-15 s even when no message is due. The master permits pings this often.
    ("grpc.keepalive_time_ms", 10_000),
    ("grpc.keepalive_timeout_ms", 5_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.max_receive_message_length", 64 << 20),  # scripts can be large
]
REFUSALS = frozenset(
    {
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.ALREADY_EXISTS,
    }
)
"""Status codes by which a master turns this slave away (not a network problem)."""


class StreamEnded(Exception):
    """The stream is over without a transport error; code is its gRPC status, if it has one."""

    def __init__(self, code: Any, details: str) -> None:
        super().__init__(f"{getattr(code, 'name', 'no status')}: {details}")
        self.code = code
        self.details = details


class Link:
    """Keeps this slave attached; `attached` is set while a welcomed stream is up."""

    def __init__(
        self,
        config: SlaveConfig,
        outbox: Outbox,
        executions: Executions,
        hello: Callable[[], Awaitable[Hello]],
        attached: asyncio.Event | None = None,
        files: MasterFiles | None = None,
        on_welcome: Callable[[Welcome], None] | None = None,
        terminals: Callable[[TerminalRequest], None] | None = None,
    ) -> None:
        self._terminals = terminals
        """Takes terminal orders; None = this link refuses them (logged)."""
        self.attached = attached or asyncio.Event()
        self._on_welcome = on_welcome
        self._files = files
        """Gets the channel while a stream is welcomed (FileService shares the address)."""
        self._config = config
        self._outbox = outbox
        self._executions = executions
        self._hello = hello
        self._backoff = Backoff(config.reconnect_base, config.reconnect_cap)
        self._welcomed = False
        self._rotation = Rotation(config.masters, config.name)

    @property
    def master(self) -> str:
        """The master this link dials now (or is attached to)."""
        return self._rotation.current

    async def run(self) -> NoReturn:
        """Attach, and attach again after every failure, until cancelled: to the next master
        at once while some have not failed yet, else after a backoff delay."""
        while True:
            try:
                await self._session()
                raise ConnectionError("ended without an error")
            except Exception as exc:
                failed = self.master
                if not self._rotation.failed():
                    self._log_retry(exc, failed, None)
                    continue
                delay = self._backoff.next_delay()
                self._log_retry(exc, failed, delay)
            await asyncio.sleep(delay)

    async def _session(self) -> None:
        self._welcomed = False
        hello = await self._hello()
        target = self.master
        async with aio_channel(target, self._config.tls, CHANNEL_OPTIONS) as channel:
            if len(self._config.masters) > 1:  # another master may answer: do not wait long
                await _reachable(channel, self._config.connect_timeout)
            call = slave_pb2_grpc.SlaveLinkStub(channel).Attach()
            try:
                await call.write(convert.to_proto(hello))
                welcome = await self._welcome(call)
                if self._on_welcome is not None:
                    self._on_welcome(welcome)
                if self._files is not None:
                    self._files.link_up(channel, welcome.max_upload_bytes)
                await self._live(call, welcome)
            finally:
                if self._files is not None:
                    self._files.link_down()
                call.cancel()

    async def _welcome(self, call: Any) -> Welcome:
        timeout = self._config.welcome_timeout
        try:
            message = await asyncio.wait_for(call.read(), timeout)
        except TimeoutError:
            raise StreamEnded(None, f"no Welcome within {timeout:g} s") from None
        if message is grpc.aio.EOF:
            raise await _ended(call)
        first = convert.from_proto(message)
        if not isinstance(first, Welcome):
            raise StreamEnded(None, f"expected Welcome first, got {message.WhichOneof('body')}")
        return first

    async def _live(self, call: Any, welcome: Welcome) -> None:
        interval = welcome.heartbeat_interval or self._config.heartbeat_interval
        backlog = self._outbox.resume()  # before any new message can be queued for this stream
        loop = asyncio.get_running_loop()
        since = loop.time()
        self._welcomed = True
        self._rotation.succeeded()
        self.attached.set()
        logger.info(
            "attached to master %s as %s (heartbeat every %g s, resending %d unacked messages)",
            self.master,
            self._config.name,
            interval,
            len(backlog),
        )
        tasks = [
            asyncio.create_task(self._write(call, backlog)),
            asyncio.create_task(self._read(call)),
            asyncio.create_task(self._beat(interval)),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
            raise await _ended(call)  # the reader met the end of the stream
        finally:
            self.attached.clear()
            self._outbox.detached()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if loop.time() - since >= self._config.stable_after:
                self._backoff.reset()

    async def _write(self, call: Any, backlog: list[Kept]) -> None:
        try:
            for item in backlog:
                await call.write(convert.to_proto(item))
            while True:
                await call.write(convert.to_proto(await self._outbox.next_live()))
        except asyncio.InvalidStateError:  # the call is over; say why
            raise await _ended(call) from None

    async def _read(self, call: Any) -> None:
        while (message := await call.read()) is not grpc.aio.EOF:
            self._dispatch(convert.from_proto(message))

    async def _beat(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            self._outbox.send(Heartbeat(len(self._executions.running_ids())))

    def _dispatch(self, message: FromMaster | None) -> None:
        match message:
            case RunRequest() | KillRequest() | FetchRequest() | PlaceRequest():
                self._executions.handle(message)
            case TerminalRequest():
                if self._terminals is None:
                    logger.warning("terminal order %s ignored: no terminals", message.session_id)
                else:
                    self._terminals(message)
            case OutputAck():
                self._outbox.ack_output(message.execution_id, message.seqs)
            case ResultAck():
                if self._outbox.ack_result(message.execution_id):
                    logger.debug("exec %d: result stored by the master", message.execution_id)
            case Welcome():
                logger.warning("master %s sent a second Welcome; ignored", self.master)
            case None:
                logger.warning("master %s sent an unknown message; ignored", self.master)

    def _log_retry(self, exc: Exception, target: str, delay: float | None) -> None:
        """Say why `target` failed, and what comes next: the next master now (`delay` None),
        or a retry after `delay` seconds."""
        name = self._config.name
        then = f"trying master {self.master} now" if delay is None else f"retrying in {delay:.1f} s"
        code, details = _status(exc)
        if code in REFUSALS:
            logger.error(
                "master %s refused slave %s: %s: %s; %s", target, name, code.name, details, then
            )
        elif code is not None or isinstance(exc, StreamEnded):
            what = "lost master" if self._welcomed else "cannot attach to master"
            logger.warning(
                "%s %s: %s: %s; %s",
                what,
                target,
                getattr(code, "name", "no status"),
                details,
                then,
            )
        else:
            logger.error("link to master %s failed; %s", target, then, exc_info=exc)


async def _reachable(channel: Any, timeout: float) -> None:
    """Return once `channel` is connected or has failed to (the call then fails at once, with
    grpc's own reason: refused, a TLS handshake...); StreamEnded when it is still connecting
    after `timeout` seconds (a host that answers nothing)."""

    async def settled() -> None:
        state = channel.get_state(try_to_connect=True)
        while state not in (
            grpc.ChannelConnectivity.READY,
            grpc.ChannelConnectivity.TRANSIENT_FAILURE,
        ):
            await channel.wait_for_state_change(state)
            state = channel.get_state(try_to_connect=True)

    try:
        await asyncio.wait_for(settled(), timeout)
    except TimeoutError:
        raise StreamEnded(
            grpc.StatusCode.UNAVAILABLE, f"no connection within {timeout:g} s"
        ) from None


async def _ended(call: Any) -> StreamEnded:
    return StreamEnded(await call.code(), await call.details() or "stream closed by the master")


def _status(exc: Exception) -> tuple[Any, str]:
    if isinstance(exc, StreamEnded):
        return exc.code, exc.details
    if isinstance(exc, grpc.aio.AioRpcError):
        return exc.code(), exc.details() or ""
    return None, str(exc)
