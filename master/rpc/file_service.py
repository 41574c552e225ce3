"""FileService (blobs for slaves' copies) and the file server RPCs of the catalogue share the
content-addressed store; these adapters stream bytes in and out of it.

A slave (identified by its own credential, auth.py) uploads only for a fetch dispatched
to it and still open, and downloads only the blob of a place dispatched to it and still open:
its link gives it no other project's files."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from jobfleet.v1 import catalog_pb2, slave_pb2, slave_pb2_grpc
from master.catalogue.filestore import CHUNK, FileStore
from master.domain import Blob, Role
from master.errors import InvalidArgument, PermissionDenied
from master.rpc.context import CALLER, Context
from master.rpc.errors import streaming, unary
from master.tasks.queries import TaskQueries


class FileServicer(slave_pb2_grpc.FileServiceServicer):
    def __init__(self, store: FileStore, queries: TaskQueries) -> None:
        self.store = store
        self.queries = queries

    async def _copy_of_caller(self, execution_id: int, role: Role) -> Blob | None:
        """The blob of the caller's open copy execution (None for a fetch); refused when the
        execution was not dispatched to the calling slave in that role, or has ended. The
        admin's tools are not bound to an execution."""
        if CALLER.get().admin:
            return None
        return await self.queries.copy_blob(execution_id, CALLER.get().slave, role)

    @unary
    async def UploadBlob(
        self, request_iterator: AsyncIterator[slave_pb2.UploadBlobRequest], context: Context
    ) -> slave_pb2.UploadBlobResponse:
        first = await anext(request_iterator, None)
        if first is None:
            raise InvalidArgument("empty upload", "data")
        await self._copy_of_caller(first.execution_id, Role.FETCH)
        info = await self.store.write(chunks_of(first, request_iterator))
        blob = slave_pb2.Blob(sha256=info.sha256, size=info.size, archive=first.archive)
        return slave_pb2.UploadBlobResponse(blob=blob)

    @streaming
    async def DownloadBlob(
        self, request: slave_pb2.DownloadBlobRequest, context: Context
    ) -> AsyncIterator[slave_pb2.DownloadBlobResponse]:
        blob = await self._copy_of_caller(request.execution_id, Role.PLACE)
        if not CALLER.get().admin and (blob is None or blob.sha256 != request.sha256):
            raise PermissionDenied("not the blob this place writes", "sha256")
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
