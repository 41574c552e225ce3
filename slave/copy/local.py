"""This machine as a copy's end: files read and written in threads, a directory tarred in a
thread of its own (tar.py), a place's temp file beside its destination (localplace.py)."""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from slave.copy.errors import CopyError, path_error
from slave.copy.localplace import LocalDestination
from slave.copy.machine import CHUNK, Destination, Source
from slave.copy.tar import LocalTree
from slave.copy.threads import in_thread
from slave.copy.verify import Received
from slave.messages import PlaceRequest


class LocalMachine:
    def __init__(self, name: str, execution_id: int) -> None:
        self.name = name
        self._execution_id = execution_id

    async def source(self, path: str) -> Source:
        _absolute(path)
        try:
            info = await in_thread(os.stat, path)
        except OSError as exc:
            raise path_error(exc, path) from None
        if stat.S_ISDIR(info.st_mode):
            return LocalTree(path, path)
        if not stat.S_ISREG(info.st_mode):
            raise CopyError(f"not a regular file or a directory: {path}")
        try:
            return LocalFile(await in_thread(open, path, "rb"), info.st_size, path)
        except OSError as exc:
            raise path_error(exc, path) from None

    async def destination(self, request: PlaceRequest, received: Received) -> Destination:
        _absolute(request.path)
        return await LocalDestination.open(request, received, self._execution_id)

    async def close(self) -> None:
        pass


class LocalFile:
    is_dir: bool = False

    def __init__(self, file: BinaryIO, size: int, path: str) -> None:
        self.size: int | None = size
        self._file = file
        self._path = path

    async def read(self) -> bytes:
        try:
            return await in_thread(self._file.read, CHUNK)
        except OSError as exc:
            raise path_error(exc, self._path) from None

    async def close(self) -> None:
        self._file.close()


def _absolute(path: str) -> None:
    if not os.path.isabs(path):
        raise CopyError(f"not an absolute path: {path!r}")
