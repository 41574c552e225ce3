"""copy-fetch: read a file or a directory (as a tar) on a machine and upload it to the master's
file store; the result carries the Blob the store answered. An upload the link to the master
broke (a master restart) starts again, the source read anew, once the link is back, within the
copy's timeout (the store keeps nothing of a broken upload, so there is nothing to resume)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from slave.commands.base import FileStore, TransferBroken
from slave.copy.ahead import ahead
from slave.copy.command import CopyCommand
from slave.copy.machine import Machine, Source
from slave.copy.progress import Progress, short_sha, took_text
from slave.messages import Blob, FetchRequest


class FetchCopy(CopyCommand[FetchRequest]):
    async def transfer(self, machine: Machine, files: FileStore) -> Blob:
        path = self.request.path
        retrying = False
        while True:
            progress: Progress | None = None
            source = await machine.source(path)
            try:
                if not retrying:
                    what = "directory" if source.is_dir else f"{source.size} bytes"
                    await self.log.line(f"fetching {path} ({what}) from {machine.name} …")
                progress = Progress(self.log, source.size)
                async with ahead(_counted(source, progress)) as chunks:
                    blob = await files.upload(self.execution_id, source.is_dir, chunks)
                break
            except TransferBroken as exc:
                sent = progress.done if progress else 0
                if sent or not retrying:  # one line per break, not per retry
                    await self.log.line(
                        f"link to the master lost {sent} bytes into the upload ({exc}); "
                        "uploading again from the start once it is back"
                    )
                retrying = True
            finally:
                await source.close()
        kind = "a tar of " if blob.archive else ""
        await self.log.line(
            f"fetched {path} ({kind}{blob.size} bytes, sha256 {short_sha(blob.sha256)}) "
            f"from {machine.name} {took_text(blob.size, progress.elapsed)}"
        )
        return blob


async def _counted(source: Source, progress: Progress) -> AsyncIterator[bytes]:
    while chunk := await source.read():
        yield chunk
        await progress.add(len(chunk))
