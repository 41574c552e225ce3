"""The slave's side of the file store: a transfer whose channel closes under it (the link went
down: the master restarted) is a broken transfer to resume, whatever grpc raises for it, while a
transfer whose own task is cancelled (a kill, a timeout) stays cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from slave.commands.base import TransferBroken
from slave.files import MasterFiles

UPLOAD = "/jobfleet.v1.FileService/UploadBlob"


async def silent_master(called: asyncio.Event) -> tuple[grpc.aio.Server, str]:
    """A master that takes an upload and never answers it."""

    async def upload(requests: AsyncIterator[Any], context: Any) -> bytes:
        called.set()
        await asyncio.Event().wait()
        return b""

    handler = grpc.method_handlers_generic_handler(
        "jobfleet.v1.FileService", {"UploadBlob": grpc.stream_unary_rpc_method_handler(upload)}
    )
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, f"127.0.0.1:{port}"


async def one_chunk() -> AsyncIterator[bytes]:
    yield b"x" * 1024


async def upload_until_called() -> tuple[grpc.aio.Server, Any, MasterFiles, asyncio.Task[Any]]:
    called = asyncio.Event()
    server, address = await silent_master(called)
    channel = grpc.aio.insecure_channel(address)
    files = MasterFiles()
    files.link_up(channel)
    upload = asyncio.create_task(files.upload(1, False, one_chunk()))
    await asyncio.wait_for(called.wait(), 10)
    await asyncio.sleep(0)  # the upload now waits for the master's answer
    return server, channel, files, upload


def test_an_upload_whose_channel_closes_under_it_is_a_broken_transfer() -> None:
    async def scenario() -> None:
        server, channel, files, upload = await upload_until_called()
        try:
            files.link_down()
            await channel.close()  # what the link does when the master goes away
            with pytest.raises(TransferBroken):
                await asyncio.wait_for(upload, 10)
        finally:
            await server.stop(0)

    asyncio.run(scenario())


def test_an_upload_whose_own_task_is_cancelled_stays_cancelled() -> None:
    async def scenario() -> None:
        server, channel, files, upload = await upload_until_called()
        try:
            upload.cancel()  # a kill or the copy's timeout
            with pytest.raises(asyncio.CancelledError):
                await upload
        finally:
            await channel.close()
            await server.stop(0)

    asyncio.run(scenario())
