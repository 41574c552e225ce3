"""The master's FileService, called on the attach link's channel (the master serves it on the
address the slave dials). The only module besides attach.py that speaks gRPC.

Transfers wait for the link to be up. A link that drops mid-transfer (the master restarted,
the network broke; the call ends UNAVAILABLE or CANCELLED) ends the transfer with
TransferBroken, which the copy takes up again (a download at the byte it reached, an upload
from the start); the next call waits for a new link, or RELINK_WAIT at most when the link has
not noticed the break. A call that ends with a code that tells nothing (INTERNAL, as a
write on a dead connection does) counts as broken when the link drops within LINK_NOTICE.
Uploads stream in messages of at most 1 MiB: the first carries
`archive` and `execution_id`, the next ones data, and the final one `last` (an upload cut short
before it, say by a kill, is not stored).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Callable
from typing import Any

import grpc

from jobfleet.v1 import slave_pb2, slave_pb2_grpc
from slave.commands.base import FileStoreError, TransferBroken
from slave.convert import blob_from_proto
from slave.messages import Blob

logger = logging.getLogger(__name__)

MAX_MESSAGE = 1 << 20
"""The largest data field the master takes in one UploadBlobRequest."""
RELINK_WAIT = 2.0
"""Seconds a call after a break waits for a new link before trying the old one again."""
LINK_NOTICE = 1.0
"""Seconds a call that failed with no telling code waits to see whether the link broke."""


class MasterFiles:
    """A FileStore (slave.commands.base) on the current link's channel. Calls carry the
    slave's own credential and name (slave/identity.py), read at each call: the first attach
    may enrol the slave after this was made."""

    def __init__(self, metadata: Callable[[], tuple[tuple[str, str], ...]] = tuple) -> None:
        self._channel: Any = None
        self._up = asyncio.Event()
        self._metadata = metadata
        self._broken: Any = None
        """The channel a transfer last broke on."""
        self._change = asyncio.Event()
        """Set (and replaced) whenever the link goes up or down."""
        self._cap = 0
        """The largest blob the master takes, as its Welcome said (0: not said)."""

    def link_up(self, channel: Any, max_upload_bytes: int = 0) -> None:
        """The link is attached on `channel` (a grpc.aio.Channel); the master takes blobs of at
        most `max_upload_bytes` (0: not said)."""
        self._cap = max_upload_bytes
        self._channel = channel
        self._up.set()
        self._changed()

    def link_down(self) -> None:
        self._up.clear()
        self._channel = None
        self._changed()

    async def upload(self, execution_id: int, archive: bool, chunks: AsyncIterable[bytes]) -> Blob:
        channel = await self._ready()
        call = slave_pb2_grpc.FileServiceStub(channel).UploadBlob(metadata=self._metadata())
        try:
            await _send_all(call, execution_id, archive, capped(chunks, self._cap))
            response = await call
        except grpc.aio.AioRpcError as exc:
            raise await self._failure(channel, "upload", exc.code(), exc.details()) from None
        except asyncio.InvalidStateError:  # a write after the master ended the call
            code, details = await call.code(), await call.details()
            raise await self._failure(channel, "upload", code, details) from None
        except asyncio.CancelledError:
            if cancelled_here():
                raise
            raise await self._failure(channel, "upload", *CLOSED) from None
        finally:
            call.cancel()  # no-op once it is over; ends it when a chunk source failed
        return blob_from_proto(response.blob)

    async def download(
        self, sha256: str, execution_id: int = 0, offset: int = 0
    ) -> AsyncGenerator[bytes, None]:
        channel = await self._ready()
        request = slave_pb2.DownloadBlobRequest(
            sha256=sha256, execution_id=execution_id, offset=offset
        )
        call = slave_pb2_grpc.FileServiceStub(channel).DownloadBlob(
            request, metadata=self._metadata()
        )
        try:
            async for response in call:
                yield response.data
        except grpc.aio.AioRpcError as exc:
            raise await self._failure(channel, "download", exc.code(), exc.details()) from None
        except asyncio.CancelledError:
            if cancelled_here():
                raise
            raise await self._failure(channel, "download", *CLOSED) from None
        finally:
            call.cancel()

    async def channel(self) -> Any:
        """The link's channel once it is up (SlaveTerminal streams dial it too)."""
        return await self._ready()

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        """The slave's own credential and name, as its calls to the master carry them."""
        return self._metadata()

    async def _ready(self) -> Any:
        if self._channel is not None and self._channel is self._broken:
            await self._moved_on(self._channel, RELINK_WAIT)  # the link may not know it yet
        while self._channel is None:
            await self._up.wait()
        return self._channel

    async def _failure(
        self, channel: Any, what: str, code: Any, details: str | None
    ) -> FileStoreError:
        """Why a call on `channel` ended with `code`: a refusal, TransferBroken when the link
        broke (a code of BREAKS, or any other once the link leaves the channel: a write that
        meets a dead connection ends INTERNAL), else a failure."""
        logger.debug("file store %s ended with %s: %s", what, getattr(code, "name", code), details)
        if code in REFUSALS:
            return FileStoreError(f"the master's file store refused the {what}: {details}")
        name = getattr(code, "name", "no status")
        if code in BREAKS or await self._moved_on(channel, LINK_NOTICE):
            if channel is self._channel:
                self._broken = channel
            return TransferBroken(f"file store {what} cut short: {name}: {details}")
        return FileStoreError(f"file store {what} failed: {name}: {details}")

    async def _moved_on(self, channel: Any, within: float) -> bool:
        """Whether the link leaves `channel` (down, or up on another), now or within `within` s."""
        change = self._change
        if self._channel is channel:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(change.wait(), within)
        return self._channel is not channel

    def _changed(self) -> None:
        self._change.set()
        self._change = asyncio.Event()


CLOSED = (grpc.StatusCode.CANCELLED, "the link's channel closed under the call")


def cancelled_here() -> bool:
    """Whether a CancelledError is this task's own (a kill, a timeout), not grpc's: a call whose
    channel closes (the link went down) raises CancelledError into its caller too, and that is
    a broken transfer to resume, not a copy to give up."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def capped(chunks: AsyncIterable[bytes], cap: int) -> AsyncIterator[bytes]:
    """The chunks, refused as the master would refuse them once past its cap (0: no cap here):
    stopping here sends nothing the master would drop, and says why in the master's words
    (a write racing the master's own refusal is reported as INTERNAL by grpc's aio client,
    grpc/grpc#36066)."""
    sent = 0
    async for chunk in chunks:
        sent += len(chunk)
        if cap and sent > cap:
            raise FileStoreError(
                f"the master's file store refused the upload: larger than the {cap} byte cap"
            )
        yield chunk


async def _send_all(
    call: Any, execution_id: int, archive: bool, chunks: AsyncIterable[bytes]
) -> None:
    await call.write(slave_pb2.UploadBlobRequest(archive=archive, execution_id=execution_id))
    async for chunk in chunks:
        for at in range(0, len(chunk), MAX_MESSAGE):
            await call.write(slave_pb2.UploadBlobRequest(data=chunk[at : at + MAX_MESSAGE]))
    await call.write(slave_pb2.UploadBlobRequest(last=True))  # without it the store keeps nothing
    await call.done_writing()


REFUSALS = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.OUT_OF_RANGE,
    }
)
"""Codes by which the master turns a transfer down (its details say why)."""
BREAKS = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED})
"""Codes of a transfer the link broke: the channel closed, the master went away."""
