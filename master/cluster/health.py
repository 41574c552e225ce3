"""Whether this master holds its database, for gRPC health (master/rpc/health.py) and through
it the gateway's GET /health: False while it cannot reach the database, True again once it
can, without a restart. A master of a cluster learns it from its lease renewals (registry.py);
a single master probes with `SELECT 1` every PROBE_EVERY seconds (a read of no table: nothing
on any hot path)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from master.db.connection import DbRunner
from master.store import masters

PROBE_EVERY = 2.0


async def probe_forever(
    run_db: DbRunner, report: Callable[[bool], None], every: float = PROBE_EVERY
) -> None:
    """A single master's probe: `report(reachable)` after each, every `every` seconds."""
    while True:
        await asyncio.sleep(every)
        try:
            await run_db(masters.ping)
        except Exception:
            report(False)
        else:
            report(True)
