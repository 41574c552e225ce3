#!/usr/bin/env python3
"""The slave's SSH runner alone, against a private sshd on 127.0.0.1 (scripts/sshd):

(a) connect: TCP + key exchange + host key check + public-key login (repeated 50 times);
(b) exec: a bare `true` on an open pooled connection: open a session, exec, exit status (50);
(c) run: a whole run-ssh of `echo hi` on a pooled connection (wrapper, script via stdin,
    process group, output, exit code) — what one more execution costs (50);
(d) fan-out: K nodes at once (same sshd, distinct node names) from a fresh pool, wall time (1).

Measures the package slave.ssh by design, through its documented modules: connect.connect,
hostkeys.KnownHosts, pool.SshPool, session.start_command; (c) and (d) run the command as the
slave daemon does: slave.commands.registry.lookup(request.command) with a CommandContext
(slave.commands.base) and the request types of slave.messages.
Usage: .venv/bin/python scripts/bench_ssh_runner.py [--nodes 20 100] [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shutil
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import benchlib
from benchfleet import sshd, work_dir

from slave.commands.base import CommandContext, CommandSettings
from slave.commands.registry import lookup
from slave.messages import (
    Chunk,
    HostKeyPolicy,
    Result,
    RunRequest,
    ScriptType,
    Secret,
    SshTarget,
    Started,
    Status,
)
from slave.ssh.connect import connect
from slave.ssh.hostkeys import KnownHosts
from slave.ssh.pool import SshPool
from slave.ssh.session import start_command


class Sink:
    """The command's output sink: keeps the output and the result."""

    def __init__(self) -> None:
        self.data = b""
        self.result: Result | None = None

    def started(self, started: Started) -> None:
        pass

    async def output(self, chunk: Chunk) -> None:
        self.data += chunk.data

    def finished(self, result: Result) -> None:
        self.result = result


async def milliseconds(runs: int, once: Callable[[], Awaitable[object]]) -> list[float]:
    return [await benchlib.seconds_async(once) * 1000 for _ in range(runs)]


async def run_one(pool: SshPool, target: SshTarget, eid: int, work: Path) -> None:
    sink = Sink()
    request = RunRequest(eid, ScriptType.SHELL, "echo hi", ssh=target)
    context = CommandContext(sink, CommandSettings(work_dir=work), lambda e: None, pool)
    await lookup(request.command)(request, context).start()
    assert sink.result is not None and sink.result.status is Status.SUCCESS, sink.result


async def measure(directory: Path, args: argparse.Namespace, out: benchlib.Figures) -> None:
    port = int((directory / "port").read_text())
    user = (directory / "user").read_text().strip()
    key = Secret((directory / "client_ed25519_key").read_text())
    target = SshTarget("bench", "127.0.0.1", port, user, private_key=key)
    known = KnownHosts(directory / "bench_known_hosts")
    runs = benchlib.repeat(args, 50, 3)

    def connect_once() -> None:
        connect(target, HostKeyPolicy.ACCEPT_NEW, known, time.monotonic() + 10).close()

    connects = await milliseconds(runs, lambda: asyncio.to_thread(connect_once))
    out.add("(a) connect + login", "ms", connects)
    async with SshPool(known) as pool:
        lease = await pool.lease(target, 0)

        async def bare() -> None:
            reader = await start_command(pool, lease, "true")
            await reader.exited
            reader.close()

        out.add("(b) exec `true` on a pooled connection", "ms", await milliseconds(runs, bare))
        lease.release()
        ids = iter(range(1, 1 << 30))
        ran = await milliseconds(runs, lambda: run_one(pool, target, next(ids), directory))
        out.add("(c) run-ssh `echo hi` on a pooled connection", "ms", ran)
    for nodes in args.nodes:
        walls, counts = [], set()
        for _ in range(benchlib.repeat(args, 1, 1)):
            wall, count = await fan_out(directory, known, target, nodes)
            walls.append(wall)
            counts.add(count)
        note = f"{', '.join(map(str, sorted(counts)))} connections"
        out.add(f"(d) {nodes} nodes at once, fresh pool: wall", "ms", walls, note)


async def fan_out(
    directory: Path, known: KnownHosts, target: SshTarget, nodes: int
) -> tuple[float, int]:
    """Milliseconds to run on `nodes` nodes at once from a fresh pool; connections it made."""
    targets = [dataclasses.replace(target, node=f"n{i}") for i in range(nodes)]
    async with SshPool(known, max_sessions=max(64, nodes)) as pool:
        runs = (run_one(pool, t, i, directory) for i, t in enumerate(targets))
        wall = await benchlib.seconds_async(lambda: asyncio.gather(*runs))
        return wall * 1000, pool.connection_count()


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--nodes", type=int, nargs="+", default=[20, 100], help="fan-outs of (d)")
    args = benchlib.parse(p, {"nodes": [3]})
    out = benchlib.Figures("ssh_runner")
    work = work_dir("sshd")
    try:
        with sshd(work / "sshd") as server:
            asyncio.run(measure(server.directory, args, out))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
