"""File uploads streamed to the master, one UploadFile call per file part.

Each file of a multipart body goes out as it is read: a first message naming it (project, name,
actor), then its bytes in messages of at most CHUNK_BYTES. An upload holds a few chunks at most
(the one being filled, one queued, one being sent), in memory; nothing goes to disk. The call is
opened only when the first chunk is full (or at the part's end, for a smaller file), so a file
refused early never reaches the master; a file refused later (over the cap, a body cut short, a
client gone) is abandoned by cancelling its call, never by ending it cleanly.

The call runs on the blocking gRPC client (`MasterClient.uploads`), whose sending thread pulls
messages from an asyncio queue of one: the event loop never blocks, the client's pace is the
master's (backpressure), and a refusal arrives with the master's own status (the aio client can
lose it, grpc/grpc#36066).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import grpc
from starlette.requests import Request

from gateway import filenames, multipart
from gateway.errors import FieldError, FileRefused
from gateway.upstream import MasterClient
from jobfleet.v1 import catalog_pb2

CHUNK_BYTES = 1 << 20
MIN_RATE = 1 << 20
"""Bytes per second a largest-size upload is given time for (its call's deadline)."""
THREAD_POLL_SECONDS = 1.0


class FileUpload:
    """One file on its way to the master."""

    def __init__(
        self,
        master: MasterClient,
        head: catalog_pb2.UploadFileRequest,
        max_bytes: int,
        md5: str = "",
    ) -> None:
        self.name = head.name
        self._master = master
        self._head = head
        self._max_bytes = max_bytes
        self._expected_md5 = md5.lower()
        self._md5 = hashlib.md5(usedforsecurity=False) if md5 else None
        self._pending = bytearray()
        self._size = 0
        self._loop = asyncio.get_running_loop()
        self._outbox: asyncio.Queue[catalog_pb2.UploadFileRequest | None] = asyncio.Queue(1)
        self._ended = asyncio.Event()
        self._call: Any = None  # a grpc.Future of the blocking client

    async def write(self, data: bytes) -> None:
        """Take more of the file; full chunks go out now (waiting while the master is busy)."""
        self._size += len(data)
        if self._size > self._max_bytes:
            raise FieldError(
                self.name, f"larger than the upload limit of {self._max_bytes} bytes", status=413
            )
        if self._md5 is not None:
            self._md5.update(data)
        self._pending += data
        while len(self._pending) >= CHUNK_BYTES:
            chunk = bytes(self._pending[:CHUNK_BYTES])
            del self._pending[:CHUNK_BYTES]
            await self._send_data(chunk)

    async def finish(self) -> catalog_pb2.StoredFile:
        """The file is complete: send the rest, end the stream, the master's stored row.
        A file whose MD5 is not the one expected ends here instead (the caller cancels it)."""
        if self._md5 is not None and not hmac.compare_digest(
            self._md5.hexdigest(), self._expected_md5
        ):
            raise FieldError("checkmd5", f"{self.name}: its MD5 is {self._md5.hexdigest()}")
        await self._send_data(bytes(self._pending))
        self._pending.clear()
        await self._send(catalog_pb2.UploadFileRequest(last=True))  # without it nothing is kept
        await self._send(None)
        await self._ended.wait()
        reply: catalog_pb2.UploadFileResponse = self._outcome()
        return reply.file

    def cancel(self) -> bool:
        """Abandon the file: the master sees a cancelled call, not a finished file. True when
        there was a call to cancel (the file had reached the master)."""
        if self._call is None:
            return False
        cancelled: bool = self._call.cancel()
        if self._outbox.empty():
            self._outbox.put_nowait(None)  # the sending thread may be waiting for a message
        return cancelled

    async def _send_data(self, chunk: bytes) -> None:
        if self._call is None:
            deadline = self._master.timeout + self._max_bytes / MIN_RATE
            self._call = self._master.uploads.UploadFile.future(self._messages(), timeout=deadline)
            self._call.add_done_callback(self._on_done)
            await self._send(self._head)
        if chunk:
            await self._send(catalog_pb2.UploadFileRequest(data=chunk))

    async def _send(self, message: catalog_pb2.UploadFileRequest | None) -> None:
        """Queue a message (None: the end) once the sending thread took the last one; a call the
        master already ended raises its refusal instead."""
        put = asyncio.ensure_future(self._outbox.put(message))
        ended = asyncio.ensure_future(self._ended.wait())
        try:
            await asyncio.wait((put, ended), return_when=asyncio.FIRST_COMPLETED)
        finally:
            ended.cancel()
            put.cancel()
        if not (put.done() and not put.cancelled()):
            self._outcome()  # raises: the call ended before the file did
            raise RuntimeError("the master answered before the end of the file")

    def _messages(self) -> Iterator[catalog_pb2.UploadFileRequest]:
        """Runs on the client's sending thread: the queued messages, until None (or until the
        call is over, should nobody be left to queue one)."""
        while True:
            next_one = asyncio.run_coroutine_threadsafe(self._outbox.get(), self._loop)
            while True:
                try:
                    message = next_one.result(timeout=THREAD_POLL_SECONDS)
                    break
                except concurrent.futures.TimeoutError:
                    if self._call is not None and self._call.done():
                        next_one.cancel()
                        return
            if message is None:
                return
            yield message

    def _on_done(self, call: Any) -> None:
        """Runs on a gRPC thread when the call ends."""
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            self._loop.call_soon_threadsafe(self._ended.set)

    def _outcome(self) -> Any:
        """The ended call's reply, or its failure as a FileRefused about this file."""
        try:
            return self._call.result()
        except grpc.RpcError as exc:
            raise FileRefused(self.name, as_aio_error(exc)) from exc


def as_aio_error(exc: grpc.RpcError) -> grpc.aio.AioRpcError:
    """The blocking client's failure (also a grpc.Call) in the form the error mapping reads."""
    trailing = grpc.aio.Metadata(*(exc.trailing_metadata() or ()))
    return grpc.aio.AioRpcError(exc.code(), grpc.aio.Metadata(), trailing, exc.details())


async def store_files(
    request: Request[Any],
    master: MasterClient,
    project_id: int,
    actor: str,
    max_bytes: int,
    md5: str = "",
) -> list[catalog_pb2.StoredFile]:
    """Every file part of the body, stored in the order sent; other parts are skipped. With
    `md5` (hex), a file whose MD5 differs is refused and not stored.

    A failure stops there: files already stored stay stored, the one in flight is abandoned.
    """
    stored: list[catalog_pb2.StoredFile] = []
    upload: FileUpload | None = None
    try:
        async with contextlib.aclosing(multipart.events(request)) as events:
            async for event in events:
                if isinstance(event, multipart.PartStart):
                    upload = _upload(event, master, project_id, actor, max_bytes, md5)
                elif isinstance(event, multipart.PartEnd):
                    if upload is not None:
                        stored.append(await upload.finish())
                    upload = None
                elif upload is not None:
                    await upload.write(event)
    finally:
        if upload is not None:
            upload.cancel()
    if not stored:
        raise FieldError("file", "the upload holds no file (a part with a filename)")
    return stored


def _upload(
    part: multipart.PartStart,
    master: MasterClient,
    project_id: int,
    actor: str,
    max_bytes: int,
    md5: str,
) -> FileUpload | None:
    """A file part's upload, its name checked; None for a text field."""
    if part.filename is None:
        return None
    head = catalog_pb2.UploadFileRequest(
        project_id=project_id, name=filenames.checked(part.filename, "name"), actor=actor
    )
    return FileUpload(master, head, max_bytes, md5)
