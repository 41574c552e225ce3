"""A place on this machine: a temp file beside the destination, renamed into place once it
verifies (a file), or unpacked with tarfile's "data" filter, which refuses absolute paths,
`..` escapes and links out of the tree (an archive). Every file operation runs in the copy's
own thread, as the copy's account (threads.AccountThread)."""

from __future__ import annotations

import contextlib
import os
import posixpath
import tarfile
import tempfile
import threading
from typing import BinaryIO

from slave.copy.errors import CopyError
from slave.copy.machine import Plan, plan
from slave.copy.owner import Owner, local_ids
from slave.copy.threads import AccountThread
from slave.copy.verify import Received
from slave.messages import PlaceRequest


def _umask() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


DEFAULT_MODE = 0o666 & ~_umask()
"""A new file's mode without chmod, as the slave's open() would give it."""


class LocalDestination:
    def __init__(
        self,
        where: Plan,
        archive: bool,
        temp: str,
        file: BinaryIO,
        received: Received,
        thread: AccountThread,
    ) -> None:
        self.path = where.final
        self._thread = thread
        self._archive = archive
        self._temp = temp
        self._file = file
        self._received = received
        self._keep_mode = None if archive else _mode_of(where.final)
        self._stop = threading.Event()
        self._committed = False

    @classmethod
    async def open(
        cls, request: PlaceRequest, received: Received, execution_id: int, thread: AccountThread
    ) -> LocalDestination:
        return await thread.call(cls._open, request, received, execution_id, thread)

    @classmethod
    def _open(
        cls, request: PlaceRequest, received: Received, execution_id: int, thread: AccountThread
    ) -> LocalDestination:
        where = plan(request, os.path.isdir(request.path))
        _makedirs(where.parent)
        try:
            fd, temp = tempfile.mkstemp(dir=where.parent, prefix=where.temp_prefix(execution_id))
        except OSError as exc:
            raise CopyError(f"cannot write in {where.parent}: {exc.strerror}") from None
        return cls(where, request.blob.archive, temp, os.fdopen(fd, "wb"), received, thread)

    async def write(self, chunk: bytes) -> None:
        await self._thread.call(self._write, chunk)

    async def commit(self, owner: Owner | None, mode: int | None) -> None:
        if self._archive:  # a kill stops the unpack at its next member
            await self._thread.call(self._unpack, owner, mode, on_cancel=self._stop.set)
        else:
            await self._thread.call(self._rename, owner, mode)
        self._committed = True

    async def discard(self) -> None:
        self._file.close()
        if not self._committed:
            await self._thread.call(self._remove_temp)

    def _remove_temp(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._temp)

    def _write(self, chunk: bytes) -> None:
        self._received.take(chunk)
        try:
            self._file.write(chunk)
        except OSError as exc:
            raise CopyError(f"cannot write {self._temp}: {exc.strerror}") from None

    def _rename(self, owner: Owner | None, mode: int | None) -> None:
        try:
            self._file.close()
            if owner is not None:
                os.chown(self._temp, *local_ids(owner))
            if mode is None:
                mode = DEFAULT_MODE if self._keep_mode is None else self._keep_mode
            os.chmod(self._temp, mode)
            os.replace(self._temp, self.path)
        except OSError as exc:
            raise CopyError(f"cannot place {self.path}: {exc.strerror}") from None

    def _unpack(self, owner: Owner | None, mode: int | None) -> None:
        ids = local_ids(owner) if owner is not None else None
        try:
            self._file.close()
            _makedirs(self.path)
            with tarfile.open(self._temp, "r:") as tar:
                tar.extractall(self.path, filter=self._member)
            os.unlink(self._temp)
            _apply_tree(self.path, ids, mode)
        except tarfile.TarError as exc:
            raise CopyError(f"cannot unpack into {self.path}: {exc}") from None
        except OSError as exc:
            raise CopyError(f"cannot unpack into {self.path}: {exc.strerror}") from None

    def _member(self, member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
        if self._stop.is_set():
            raise CopyError("stopped while unpacking")
        return tarfile.data_filter(member, dest)


def _makedirs(path: str) -> None:
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise CopyError(f"cannot create directory {path}: {exc.strerror}") from None


def _mode_of(path: str) -> int | None:
    """The mode of a file already at the destination (a replacement keeps it)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return None


def _apply_tree(root: str, ids: tuple[int, int] | None, mode: int | None) -> None:
    """chown -R (links themselves, not what they point to) and chmod -R (links skipped),
    deepest first: a mode without x on a directory must not lock us out of its entries."""
    for path in reversed(_tree(root)):
        if ids is not None:
            os.chown(path, *ids, follow_symlinks=False)
        if mode is not None and not os.path.islink(path):
            os.chmod(path, mode)


def _tree(root: str) -> list[str]:
    paths = [root]
    for directory, dirs, files in os.walk(root):
        paths += [posixpath.join(directory, name) for name in dirs + files]
    return paths
