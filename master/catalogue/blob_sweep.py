"""The file store sweep: now and then, blobs nobody references any more and temp files that
interrupted uploads left are removed, once untouched for the grace period."""

from __future__ import annotations

import asyncio
import logging

from master.catalogue.filestore import FileStore, Swept
from master.db.connection import DbRunner
from master.errors import Unavailable
from master.store import blobs

logger = logging.getLogger(__name__)


def sweep_interval(grace: float) -> float:
    """A quarter of the grace (a blob goes at most 1.25 graces after its last use), between
    1 s and 5 minutes."""
    return min(max(grace / 4, 1.0), 300.0)


async def sweep_once(run_db: DbRunner, files: FileStore, grace: float) -> Swept:
    referenced = await run_db(blobs.referenced)  # before the walk: see FileStore.sweep
    swept = await asyncio.to_thread(files.sweep, referenced, grace)
    if swept.blobs or swept.temps:
        logger.info(
            "file store sweep: freed %d unreferenced blob(s), %d bytes, and %d stale temp "
            "file(s) (kept %d referenced)",
            swept.blobs,
            swept.blob_bytes,
            swept.temps,
            len(referenced),
        )
    return swept


async def sweep_forever(run_db: DbRunner, files: FileStore, grace: float) -> None:
    while True:
        await asyncio.sleep(sweep_interval(grace))
        try:
            await sweep_once(run_db, files, grace)
        except Unavailable as exc:
            logger.warning("file store sweep skipped: %s", exc)
        except Exception:
            logger.exception("file store sweep failed; trying again later")
