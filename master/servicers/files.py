"""FileService (blobs for slaves' copies) and the file server RPCs of the catalogue share the
content-addressed store; these adapters stream bytes in and out of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, TypeAlias

from jobfleet.v1 import catalog_pb2, slave_pb2, slave_pb2_grpc

from master.errors import InvalidArgument
from master.filestore import CHUNK, FileStore
from master.servicers.errors import streaming, unary

Context: TypeAlias = Any  # grpc.aio.ServicerContext (grpcio has no type information)


class FileServicer(slave_pb2_grpc.FileServiceServicer):
    def __init__(self, store: FileStore) -> None:
        self.store = store

    @unary
    async def UploadBlob(
        self, request_iterator: AsyncIterator[slave_pb2.UploadBlobRequest], context: Context
    ) -> slave_pb2.UploadBlobResponse:
        first = await anext(request_iterator, None)
        if first is None:
            raise InvalidArgument("empty upload", "data")
        info = await self.store.write(chunks_of(first, request_iterator))
        blob = slave_pb2.Blob(sha256=info.sha256, size=info.size, archive=first.archive)
        return slave_pb2.UploadBlobResponse(blob=blob)

    @streaming
    async def DownloadBlob(
        self, request: slave_pb2.DownloadBlobRequest, context: Context
    ) -> AsyncIterator[slave_pb2.DownloadBlobResponse]:
        chunks = self.store.read(request.sha256, request.offset)  # offset: a resumed download
        while chunk := await asyncio.to_thread(next, chunks, b""):
            yield slave_pb2.DownloadBlobResponse(data=chunk)


async def chunks_of(first: Any, rest: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    """The data of every message, up to the one marked `last`. A stream that ends (or is
    cancelled) before that raises, so the store keeps nothing of an abandoned upload."""
    msg = first
    while True:
        if len(msg.data) > CHUNK:
            raise InvalidArgument(f"chunks must be at most {CHUNK} bytes", "data")
        if msg.data:
            yield msg.data
        if msg.last:
            return
        msg = await anext(rest, None)
        if msg is None:
            raise InvalidArgument("the upload ended before its last message", "last")


async def upload_file(
    store: FileStore, requests: AsyncIterator[catalog_pb2.UploadFileRequest]
) -> tuple[catalog_pb2.UploadFileRequest, str, int]:
    """Store an UploadFile stream's bytes: (its first message, sha256, size)."""
    first = await anext(requests, None)
    if first is None:
        raise InvalidArgument("empty upload", "name")
    info = await store.write(chunks_of(first, requests))
    return first, info.sha256, info.size
