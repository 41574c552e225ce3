"""A place on a node over SSH: pipelined SFTP writes into a temp file beside the destination,
then (once it verifies) chown in an exec session, SFTP chmod and an atomic posix-rename; an
archive is unpacked from its verified temp file by the node's tar."""

from __future__ import annotations

import contextlib
import posixpath
import secrets
import stat
from typing import Any

from slave.copy import lines
from slave.copy.errors import CopyError, at, path_error, reason_of
from slave.copy.machine import Plan, SftpHost, plan
from slave.copy.owner import Owner, mode_text
from slave.copy.verify import Received
from slave.messages import PlaceRequest


class SftpDestination:
    def __init__(self, machine: SftpHost, where: Plan, archive: bool, received: Received):
        self.path = where.final
        self._machine = machine
        self._sftp = machine.sftp
        self._where = where
        self._archive = archive
        self._received = received
        self._temp = posixpath.join(
            where.parent, where.temp_prefix(machine.execution_id) + secrets.token_hex(4)
        )
        self._file: Any = None
        self._keep_mode: int | None = None
        self._committed = False

    @classmethod
    async def open(
        cls, machine: SftpHost, request: PlaceRequest, received: Received
    ) -> SftpDestination:
        where = plan(request, await machine.call(cls._is_dir, machine, request.path))
        dest = cls(machine, where, request.blob.archive, received)
        await machine.call(dest._open)
        return dest

    async def write(self, chunk: bytes) -> None:
        await self._machine.call(self._write, chunk)

    async def commit(self, owner: Owner | None, mode: int | None) -> None:
        await self._machine.call(self._close)
        if self._archive:
            await self._machine.run(lines.unpack(self._temp, self.path), "tar")
        if owner is not None:
            await self._chown(owner)
        if self._archive:
            if mode is not None:
                await self._machine.run(lines.chmod(mode_text(mode), self.path), "chmod")
        else:
            await self._machine.call(self._rename, mode)
        self._committed = True

    async def _chown(self, owner: Owner) -> None:
        """On the temp file of a file (so it appears with its owner), on the whole tree of an
        archive; a complaint names the destination, not our temp file."""
        target = self.path if self._archive else self._temp
        try:
            await self._machine.run(lines.chown(owner.spec, target, self._archive), "chown")
        except CopyError as exc:
            raise CopyError(str(exc).replace(self._temp, self.path)) from None

    async def discard(self) -> None:
        if not self._committed:
            with contextlib.suppress(Exception):
                await self._machine.call(self._remove)

    # --- blocking steps (the pool's threads) ----------------------------------------------

    @staticmethod
    def _is_dir(machine: SftpHost, path: str) -> bool:
        try:
            return stat.S_ISDIR(machine.sftp.stat(path).st_mode or 0)
        except FileNotFoundError:
            return False
        except TimeoutError:
            raise
        except OSError as exc:
            raise path_error(exc, machine.where(path)) from None

    def _open(self) -> None:
        self._makedirs(self._where.parent)
        if not self._archive:
            self._keep_mode = self._mode_of(self.path)
        with at(self._machine.where(self._temp)):
            self._file = self._sftp.open(self._temp, "wbx")
        self._file.set_pipelined(True)

    def _write(self, chunk: bytes) -> None:
        self._received.take(chunk)
        with at(self._machine.where(self._temp)):
            self._file.write(chunk)

    def _close(self) -> None:
        """Waits for the acks of every pipelined write: a full disk shows here."""
        with at(self._machine.where(self._temp)):
            self._file.close()

    def _rename(self, mode: int | None) -> None:
        if mode is None:
            mode = self._keep_mode
        with at(self._machine.where(self.path)):
            if mode is not None:
                self._sftp.chmod(self._temp, mode)
            self._sftp.posix_rename(self._temp, self.path)

    def _remove(self) -> None:
        if self._file is not None:
            with contextlib.suppress(Exception):
                self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._sftp.remove(self._temp)

    def _mode_of(self, path: str) -> int | None:
        try:
            info = self._sftp.stat(path)
        except FileNotFoundError:
            return None
        return None if info.st_mode is None else info.st_mode & 0o7777

    def _makedirs(self, path: str) -> None:
        """mkdir -p over SFTP; a directory another place creates meanwhile is fine."""
        missing: list[str] = []
        while path not in ("", "/", ".") and not self._is_dir(self._machine, path):
            missing.append(path)
            path = posixpath.dirname(path)
        for directory in reversed(missing):
            try:
                self._sftp.mkdir(directory)
            except TimeoutError:
                raise
            except OSError as exc:
                if not self._is_dir(self._machine, directory):
                    where = self._machine.where(directory)
                    raise CopyError(f"cannot create directory {where}: {reason_of(exc)}") from None
