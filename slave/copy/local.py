"""This machine as a copy's end: files read and written in the copy's own thread, as the copy's
account (threads.AccountThread), a directory tarred in a thread of its own, as that account too
(tar.py), a place's temp file beside its destination (localplace.py)."""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from slave.commands.runas import RunAs
from slave.copy.errors import CopyError, path_error
from slave.copy.localplace import LocalDestination
from slave.copy.machine import CHUNK, Destination, Source
from slave.copy.tar import LocalTree
from slave.copy.threads import AccountThread
from slave.copy.verify import Received
from slave.messages import PlaceRequest


class LocalMachine:
    def __init__(self, name: str, execution_id: int, run_as: RunAs) -> None:
        self.name = name
        self._execution_id = execution_id
        self._thread = AccountThread(run_as)

    async def source(self, path: str) -> Source:
        _absolute(path)
        try:
            info = await self._thread.call(os.stat, path)
        except OSError as exc:
            raise path_error(exc, path) from None
        if stat.S_ISDIR(info.st_mode):
            return LocalTree(path, path, self._thread.run_as)
        if not stat.S_ISREG(info.st_mode):
            raise CopyError(f"not a regular file or a directory: {path}")
        try:
            file = await self._thread.call(_open_binary, path)
        except OSError as exc:
            raise path_error(exc, path) from None
        return LocalFile(file, info.st_size, path, self._thread)

    async def destination(self, request: PlaceRequest, received: Received) -> Destination:
        _absolute(request.path)
        return await LocalDestination.open(request, received, self._execution_id, self._thread)

    async def close(self) -> None:
        self._thread.close()


class LocalFile:
    is_dir: bool = False

    def __init__(self, file: BinaryIO, size: int, path: str, thread: AccountThread) -> None:
        self.size: int | None = size
        self._file = file
        self._path = path
        self._thread = thread

    async def read(self) -> bytes:
        try:
            return await self._thread.call(self._file.read, CHUNK)
        except OSError as exc:
            raise path_error(exc, self._path) from None

    async def close(self) -> None:
        self._file.close()


def _open_binary(path: str) -> BinaryIO:
    return open(path, "rb")


def _absolute(path: str) -> None:
    if not os.path.isabs(path):
        raise CopyError(f"not an absolute path: {path!r}")
