"""Read ahead: the next chunks arrive while the current one is being written, so a download
from the master overlaps the disk or SFTP writes, and a source's reads overlap the upload."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator

DEPTH = 4
"""Chunks held ahead (4 MiB of 1 MiB chunks)."""


class _End:
    pass


@contextlib.asynccontextmanager
async def ahead(
    chunks: AsyncIterable[bytes], depth: int = DEPTH
) -> AsyncIterator[AsyncIterator[bytes]]:
    """`chunks` iterated by a task of its own, up to `depth` ahead of the consumer; its error
    reaches the consumer in order. Leaving the block stops that task (and its clean-up runs)."""
    queue: asyncio.Queue[bytes | _End | Exception] = asyncio.Queue(depth)

    async def pump() -> None:
        try:
            async for chunk in chunks:
                await queue.put(chunk)
        except Exception as exc:
            await queue.put(exc)
        else:
            await queue.put(_End())

    async def drain() -> AsyncIterator[bytes]:
        while not isinstance(item := await queue.get(), _End):
            if isinstance(item, Exception):
                raise item
            yield item

    task = asyncio.create_task(pump())
    try:
        yield drain()
    finally:
        task.cancel()
        await asyncio.wait({task})
