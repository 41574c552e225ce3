"""The master's FileService, called on the attach link's channel (the master serves it on the
address the slave dials). The only module besides attach.py that speaks gRPC.

Transfers wait for the link to be up; a link that drops mid-transfer ends the transfer with a
FileStoreError (the channel closes), which fails the copy. Uploads stream in messages of at
most 1 MiB: the first carries `archive` and `execution_id`, the next ones data, and the final
one `last` (an upload cut short before it, say by a kill, is not stored).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterable, Callable
from typing import Any

import grpc
from jobfleet.v1 import slave_pb2, slave_pb2_grpc

from slave.commands.base import FileStoreError
from slave.convert import blob_from_proto
from slave.messages import Blob

logger = logging.getLogger(__name__)

MAX_MESSAGE = 1 << 20
"""The largest data field the master takes in one UploadBlobRequest."""


class MasterFiles:
    """A FileStore (slave.commands.base) on the current link's channel. Calls carry the
    slave's own credential and name (slave/identity.py), read at each call: the first attach
    may enrol the slave after this was made."""

    def __init__(self, metadata: Callable[[], tuple[tuple[str, str], ...]] = tuple) -> None:
        self._channel: Any = None
        self._up = asyncio.Event()
        self._metadata = metadata

    def link_up(self, channel: Any) -> None:
        """The link is attached on `channel` (a grpc.aio.Channel)."""
        self._channel = channel
        self._up.set()

    def link_down(self) -> None:
        self._up.clear()
        self._channel = None

    async def upload(self, execution_id: int, archive: bool, chunks: AsyncIterable[bytes]) -> Blob:
        stub = slave_pb2_grpc.FileServiceStub(await self._ready())
        call = stub.UploadBlob(metadata=self._metadata())
        try:
            await _send_all(call, execution_id, archive, chunks)
            response = await call
        except grpc.aio.AioRpcError as exc:
            raise _error("upload", exc.code(), exc.details()) from None
        except asyncio.InvalidStateError:  # a write after the master ended the call
            raise _error("upload", await call.code(), await call.details()) from None
        finally:
            call.cancel()  # no-op once it is over; ends it when a chunk source failed
        return blob_from_proto(response.blob)

    async def download(self, sha256: str, execution_id: int = 0) -> AsyncGenerator[bytes, None]:
        stub = slave_pb2_grpc.FileServiceStub(await self._ready())
        request = slave_pb2.DownloadBlobRequest(sha256=sha256, execution_id=execution_id)
        call = stub.DownloadBlob(request, metadata=self._metadata())
        try:
            async for response in call:
                yield response.data
        except grpc.aio.AioRpcError as exc:
            raise _error("download", exc.code(), exc.details()) from None
        finally:
            call.cancel()

    async def _ready(self) -> Any:
        while self._channel is None:
            await self._up.wait()
        return self._channel


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


def _error(what: str, code: Any, details: str | None) -> FileStoreError:
    logger.debug("file store %s ended with %s: %s", what, getattr(code, "name", code), details)
    if code in REFUSALS:
        return FileStoreError(f"the master's file store refused the {what}: {details}")
    if code == grpc.StatusCode.CANCELLED:
        return FileStoreError(f"file store {what} cut short (link to the master lost?)")
    name = getattr(code, "name", "no status")
    return FileStoreError(f"file store {what} failed: {name}: {details}")
