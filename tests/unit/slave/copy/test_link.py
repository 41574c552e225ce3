"""Copies through the attach link: a real Slave daemon, a scriptable master on 127.0.0.1 that
also serves the real FileService (master.rpc.file_service over master.catalogue.filestore) on
the same address, as the master does, to every caller as to an operator (unbound to copies; the
binding is tested in tests/integration). CopyCommand in; started, output, result (with
`fetched`) out."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc

from jobfleet.v1 import common_pb2, slave_pb2, slave_pb2_grpc
from master.catalogue.filestore import FileStore
from master.db.connection import DbRunner
from master.rpc.context import ADMIN, Caller
from master.rpc.file_service import FileServicer
from master.rpc.interceptor import guarded
from master.tasks.events import TaskEvents
from master.tasks.queries import TaskQueries
from slave.daemon import Slave
from tests.unit.slave.copy.copytest import MB, random_file, sha256_of, temp_files
from tests.unit.slave.slavetest import FakeMaster, MakeConfig, Stream
from tests.unit.slave.test_attach import attach

SUCCESS = common_pb2.EXECUTION_STATUS_SUCCESS


class SlowStore(FileStore):
    """The real store, read slowly (so a kill lands mid-download)."""

    def read(self, sha256: str, offset: int = 0) -> Iterator[bytes]:
        for chunk in super().read(sha256, offset):
            time.sleep(0.05)
            yield chunk


class AsOperator(grpc.aio.ServerInterceptor):
    """Every call is the admin's (the real master checks the caller's credential)."""

    async def intercept_service(self, continuation: Any, details: Any) -> Any:
        async def operator(metadata: Any) -> Caller:
            return ADMIN

        return guarded(await continuation(details), operator, lambda who, request: None)


@contextlib.asynccontextmanager
async def master_with_files(store: FileStore) -> AsyncIterator[tuple[FakeMaster, str]]:
    master = FakeMaster()
    server = grpc.aio.server(interceptors=[AsOperator()])
    slave_pb2_grpc.add_SlaveLinkServicer_to_server(master, server)
    files = FileServicer(store, TaskQueries(DbRunner(1), TaskEvents()))
    slave_pb2_grpc.add_FileServiceServicer_to_server(files, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield master, f"127.0.0.1:{port}"
    finally:
        await server.stop(0)


async def until_result(stream: Stream, execution_id: int) -> tuple[list[Any], Any]:
    """(started + output messages, the result) of one execution."""
    seen: list[Any] = []
    while True:
        message = await stream.next("started", "output", "result")
        if hasattr(message, "status") and message.execution_id == execution_id:
            return seen, message
        seen.append(message)


def test_fetch_then_place_through_the_link(slave_config: MakeConfig, tmp_path: Path) -> None:
    source = tmp_path / "release.bin"
    digest = random_file(source, 3 * MB)
    dest = tmp_path / "out"

    async def scenario() -> None:
        store = FileStore(tmp_path / "blobs", 1 << 30)
        async with master_with_files(store) as (master, address):
            async with Slave(slave_config(address, name="s1")):
                stream, _ = await attach(master)
                fetch = slave_pb2.CopyCommand(execution_id=1, fetch={"path": str(source)})
                stream.send(copy=fetch)
                seen, result = await until_result(stream, 1)
                assert result.status == SUCCESS, result
                assert (result.fetched.sha256, result.fetched.size) == (digest, 3 * MB)
                assert result.chunk_count == len([m for m in seen if hasattr(m, "seq")])
                place = slave_pb2.CopyCommand(
                    execution_id=2,
                    place={"blob": result.fetched, "path": f"{dest}/", "name": "release.bin"},
                )
                stream.send(copy=place)
                seen, result = await until_result(stream, 2)
                assert result.status == SUCCESS, result
                text = b"".join(m.data for m in seen if hasattr(m, "seq")).decode()
                assert f"to s1:{dest}/release.bin in " in text

    asyncio.run(scenario())
    assert sha256_of(dest / "release.bin") == digest


def test_kill_through_the_link_during_a_place(slave_config: MakeConfig, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    random_file(source, 40 * MB)
    dest = tmp_path / "out"
    dest.mkdir()

    async def scenario() -> Any:
        store = SlowStore(tmp_path / "blobs", 1 << 30)
        info = await store.write(_chunks(source))
        async with master_with_files(store) as (master, address):
            async with Slave(slave_config(address)):
                stream, _ = await attach(master)
                blob = slave_pb2.Blob(sha256=info.sha256, size=info.size)
                place = {"blob": blob, "path": str(dest / "big.bin")}
                stream.send(copy=slave_pb2.CopyCommand(execution_id=3, place=place))
                await stream.next("started")
                await asyncio.sleep(0.3)
                assert temp_files(dest)
                stream.send(kill=slave_pb2.KillCommand(execution_id=3, reason="by test"))
                _, result = await until_result(stream, 3)
                return result

    result = asyncio.run(scenario())
    assert (result.status, result.reason) == (common_pb2.EXECUTION_STATUS_KILLED, "by test")
    assert list(dest.iterdir()) == []


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as src:
        while chunk := src.read(MB):
            yield chunk
