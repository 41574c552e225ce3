"""Helpers for the copy tests: the master process, a FileStore on a channel to it, commands
with a collecting sink, files and trees to copy."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import signal
import subprocess
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from slave.commands.base import CommandContext, CommandSettings, FileStore
from slave.copy.command import CopyCommand
from slave.copy.fetch import FetchCopy
from slave.copy.place import PlaceCopy
from slave.files import MasterFiles
from slave.messages import Blob, FetchRequest, PlaceRequest
from slave.ssh.pool import SshPool
from tests.unit.slave.slavetest import ListSink

MB = 1 << 20


ADMIN_TOKEN = "copy-tests-" + "a" * 32
"""The masters' admin token: the copy tests use the file store as an operator's tool would,
unbound to any dispatched copy (a slave's own credential is bound; tests/integration)."""


@dataclass
class MasterProcess:
    popen: subprocess.Popen[bytes]
    address: str
    data_dir: Path

    def blob_path(self, sha256: str) -> Path:
        return self.data_dir / "blobs" / sha256[:2] / sha256

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


@contextlib.asynccontextmanager
async def master_files(
    master: MasterProcess, max_upload_bytes: int = 0
) -> AsyncIterator[MasterFiles]:
    """The slave's FileStore client on a channel to the master, as the link gives it one (with
    the master's upload cap, as its Welcome says it)."""
    async with grpc.aio.insecure_channel(master.address) as channel:
        files = MasterFiles(lambda: (("authorization", f"Token {ADMIN_TOKEN}"),))
        files.link_up(channel, max_upload_bytes)
        yield files


def command(
    request: FetchRequest | PlaceRequest,
    files: FileStore,
    settings: CommandSettings,
    pool: SshPool | None = None,
) -> tuple[CopyCommand[Any], ListSink]:
    sink = ListSink()
    context = CommandContext(sink, settings, lambda eid: None, pool, files)
    copy: CopyCommand[Any]
    if isinstance(request, FetchRequest):
        copy = FetchCopy(request, context)
    else:
        copy = PlaceCopy(request, context)
    return copy, sink


async def run_copy(
    request: FetchRequest | PlaceRequest,
    files: MasterFiles,
    settings: CommandSettings,
    pool: SshPool | None = None,
) -> ListSink:
    copy, sink = command(request, files, settings, pool)
    await copy.start()
    return sink


async def store(files: MasterFiles, data: bytes, archive: bool = False) -> Blob:
    async def chunks() -> AsyncIterator[bytes]:
        yield data

    return await files.upload(0, archive, chunks())


def random_file(path: Path, size: int) -> str:
    """Write `size` random bytes; their sha256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(MB, left))
            digest.update(block)
            out.write(block)
            left -= len(block)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while block := src.read(MB):
            digest.update(block)
    return digest.hexdigest()


def make_tree(root: Path) -> None:
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("alpha\n")
    (root / "sub" / "b.txt").write_text("beta\n")
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o755)
    (root / "link").symlink_to("a.txt")


def temp_files(directory: Path) -> list[str]:
    """Leftover temp files of places (`.NAME.jobfleet-...`)."""
    return [p.name for p in directory.rglob(".*jobfleet-*")] if directory.exists() else []


class Paused:
    """The real file store, with transfers that stall after `after` chunks until `go` is set
    (a slow link, so a kill or timeout lands mid-transfer)."""

    def __init__(self, files: MasterFiles, after: int) -> None:
        self.files = files
        self.after = after
        self.stalled = asyncio.Event()
        self.go = asyncio.Event()

    async def upload(self, execution_id: int, archive: bool, chunks: AsyncIterable[bytes]) -> Blob:
        return await self.files.upload(execution_id, archive, self._gated(chunks))

    async def download(
        self, sha256: str, execution_id: int = 0, offset: int = 0
    ) -> AsyncGenerator[bytes, None]:
        async with contextlib.aclosing(self.files.download(sha256, execution_id, offset)) as chunks:
            async for chunk in self._gated(chunks):
                yield chunk

    async def _gated(self, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        count = 0
        async for chunk in chunks:
            yield chunk
            count += 1
            if count == self.after:
                self.stalled.set()
                await self.go.wait()
