"""copy-place: download a blob from the master's file store and write it at a path on a machine
(a temp file, verified while it is written, renamed into place), or unpack an archive there;
then owner and mode. A download the link to the master broke (a master restart) goes on from
the byte it reached once the link is back, within the copy's timeout."""

from __future__ import annotations

import contextlib
import posixpath

from slave.commands.base import FileStore, TransferBroken
from slave.copy.ahead import ahead
from slave.copy.command import CopyCommand
from slave.copy.machine import Destination, Machine
from slave.copy.owner import Owner, mode_text, parse_mode, parse_owner
from slave.copy.progress import Progress, short_sha, took_text
from slave.copy.verify import Received
from slave.messages import PlaceRequest


class PlaceCopy(CopyCommand[PlaceRequest]):
    async def transfer(self, machine: Machine, files: FileStore) -> None:
        owner, mode = self._owner(), parse_mode(self.request.chmod)  # bad ones fail first
        blob = self.request.blob
        received = Received(blob)
        dest = await machine.destination(self.request, received)
        try:
            await self.log.line(f"placing {self._label(dest)} at {machine.name}:{dest.path} …")
            progress = Progress(self.log, blob.size)
            await self._download(files, dest, progress)
            received.check()
            await dest.commit(owner, mode)
        finally:
            await dest.discard()
        await self.log.line(
            f"copied {self._label(dest)} to {machine.name}:{dest.path} "
            f"{took_text(blob.size, progress.elapsed)}"
        )
        await self._log_owner_and_mode(dest.path, owner, mode)

    def _owner(self) -> Owner | None:
        """chown as asked; else, for a local place with a run-as user, that user."""
        request = self.request
        if request.chown or request.ssh is not None:
            return parse_owner(request.chown)
        return parse_owner(request.user)

    async def _download(self, files: FileStore, dest: Destination, progress: Progress) -> None:
        """Every byte of the blob into `dest`, resuming at `progress.done` after each break."""
        broken_at: int | None = None
        while True:
            try:
                await self._download_from(files, dest, progress, broken_at)
                return
            except TransferBroken as exc:
                if broken_at != progress.done:  # one line per break, not per retry
                    await self.log.line(
                        f"link to the master lost at byte {progress.done} of "
                        f"{self.request.blob.size} ({exc}); resuming there once it is back"
                    )
                broken_at = progress.done

    async def _download_from(
        self, files: FileStore, dest: Destination, progress: Progress, broken_at: int | None
    ) -> None:
        download = files.download(self.request.blob.sha256, self.execution_id, progress.done)
        async with contextlib.aclosing(download), ahead(download) as chunks:
            async for chunk in chunks:
                if broken_at is not None:
                    await self.log.line(f"resumed the download at byte {broken_at}")
                    broken_at = None
                await dest.write(chunk)
                await progress.add(len(chunk))

    def _label(self, dest: Destination) -> str:
        """`release.bin (209715200 bytes, sha256 ab12…)`."""
        blob = self.request.blob
        name = self.request.name or posixpath.basename(dest.path)
        kind = "a tar of " if blob.archive else ""
        return f"{name} ({kind}{blob.size} bytes, sha256 {short_sha(blob.sha256)})"

    async def _log_owner_and_mode(self, path: str, owner: Owner | None, mode: int | None) -> None:
        flag = "-R " if self.request.blob.archive else ""
        if owner is not None:
            await self.log.line(f"chown {flag}{owner.spec} {path}")
        if mode is not None:
            await self.log.line(f"chmod {flag}{mode_text(mode)} {path}")
