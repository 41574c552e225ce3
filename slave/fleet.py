"""Many slave identities in one process, for benchmarks and tests only (`--fleet N`).

A real slave process costs ~60 MB of memory, so a thousand attached slaves do not fit on one
test machine. `jobfleet-slave --fleet N --name s` runs N daemons of the real slave code
(slave/daemon.py) on one event loop instead: each is its own identity (its own enrolment and
credential file in the shared --state-dir, which keeps one file per name), its own work
directory (<work dir>/<name>), its own Attach stream on a channel of its own, and runs real
commands. What they share is only what a process has once: the event loop, the CPU, the file
descriptors, and cgroups (off here: each daemon would claim the process's one cgroup; runs are
contained by process groups and their run mark).

Not for production: one process's crash or stop detaches all of its identities at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import resource
import shutil
import tempfile
from pathlib import Path
from typing import Any

from slave.config import SlaveConfig
from slave.daemon import Slave

logger = logging.getLogger(__name__)

MAX_FLEET = 10_000
"""The most identities one process runs (file descriptors: a channel each, plus its runs)."""
ATTACH_BATCH = 100
"""Identities started at once; the next batch once these are attached (or ATTACH_WAIT passed),
so a master that enrols a thousand new slaves is not asked to welcome them all in one go."""
ATTACH_WAIT = 30.0
FILES_PER_IDENTITY = 8
"""Descriptors to allow per identity: its channel's socket, and its runs' pipes."""


def fleet_names(prefix: str, count: int) -> list[str]:
    """The identities' names: the prefix, then 1..count zero-padded to count's width."""
    width = len(str(count))
    return [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]


def fleet_configs(config: SlaveConfig, count: int, work_base: Path) -> list[SlaveConfig]:
    """One slave's settings per identity: `config` renamed, in a work dir of its own."""
    return [
        dataclasses.replace(config, name=name, work_dir=work_base / name, cgroups="off")
        for name in fleet_names(config.name, count)
    ]


class Fleet:
    """`count` Slave daemons run as one: `run()` until `shutdown()` (each daemon's own)."""

    def __init__(self, config: SlaveConfig, count: int, part: range | None = None) -> None:
        """`part`: the indices of the names this process runs (all by default; several
        processes share one fleet's names with --fleet-procs, slave/fleetprocs.py)."""
        if not 1 <= count <= MAX_FLEET:
            raise ValueError(f"a fleet is 1 to {MAX_FLEET} identities, not {count}")
        part = range(count) if part is None else part
        _raise_file_limit(FILES_PER_IDENTITY * len(part) + 256)
        self._work_base, self._owned = _base_dir(config.work_dir)
        configs = fleet_configs(config, count, self._work_base)
        self.slaves = [Slave(configs[i]) for i in part]
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Start the identities batch by batch, then run until all have stopped."""
        runs: list[asyncio.Task[None]] = []
        try:
            for first in range(0, len(self.slaves), ATTACH_BATCH):
                batch = self.slaves[first : first + ATTACH_BATCH]
                runs += [asyncio.create_task(s.run(), name=s.config.name) for s in batch]
                if not await self._attached(batch):
                    break
            logger.info("fleet: %d identities started", len(runs))
            await asyncio.gather(*runs)
        finally:
            await self.shutdown(force=True)
            await asyncio.gather(*runs, return_exceptions=True)
            if self._owned:
                shutil.rmtree(self._work_base, ignore_errors=True)

    async def _attached(self, batch: list[Slave]) -> bool:
        """Wait for the batch to attach (at most ATTACH_WAIT); False once stopping."""
        waiting: asyncio.Future[Any] = asyncio.gather(*(s.wait_attached() for s in batch))
        stop: asyncio.Future[Any] = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait(
                {waiting, stop}, timeout=ATTACH_WAIT, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            waiting.cancel()
            stop.cancel()
        attached = sum(s.attached for s in batch)
        if attached < len(batch) and not self._stopping.is_set():
            logger.warning(
                "fleet: %d of %d not attached yet; going on", len(batch) - attached, len(batch)
            )
        return not self._stopping.is_set()

    async def shutdown(self, force: bool = False) -> None:
        """Stop every identity (warm, or forced); returns once they all have."""
        self._stopping.set()
        await asyncio.gather(*(s.shutdown(force=force) for s in self.slaves))


def _base_dir(configured: Path | None) -> tuple[Path, bool]:
    """Where the identities' work dirs go, and whether it is ours to remove (as daemon.py)."""
    if configured is not None:
        configured.mkdir(parents=True, exist_ok=True)
        return configured, False
    path = Path(tempfile.mkdtemp(prefix="jobfleet-fleet-", dir="/tmp"))
    path.chmod(0o711)
    return path, True


def _raise_file_limit(wanted: int) -> None:
    """Raise this process's soft limit on open files towards `wanted` (up to the hard limit):
    a thousand identities need more than the usual 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        logger.info("fleet: open files limit raised from %d to %d", soft, target)
