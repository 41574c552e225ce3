#!/usr/bin/env python3
"""Benchmark the slave's SSH runner alone against a private sshd on 127.0.0.1 (scripts/sshd):

(a) connect: TCP + key exchange + host key check + public-key login (median of N);
(b) exec: a bare `true` on an open pooled connection (open a session, exec, exit status);
(c) run: a whole run-ssh of `echo hi` on a pooled connection (wrapper, script via stdin,
    process group, output, exit code) — what one more execution costs;
(d) fan-out: K nodes (same sshd, distinct node names) from a fresh pool, wall time.

Usage: .venv/bin/python scripts/bench_ssh_runner.py [--runs 50] [--nodes 20 100]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from slave.commands.base import CommandContext, CommandSettings
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
from slave.ssh.run import RunOverSsh
from slave.ssh.session import start_command

SSHD = Path(__file__).resolve().parent / "sshd"


class Sink:
    def __init__(self) -> None:
        self.data = b""
        self.result: Result | None = None

    def started(self, started: Started) -> None:
        pass

    async def output(self, chunk: Chunk) -> None:
        self.data += chunk.data

    def finished(self, result: Result) -> None:
        self.result = result


async def timed(runs: int, once: Callable[[], Awaitable[object]]) -> list[float]:
    took = []
    for _ in range(runs):
        began = time.perf_counter()
        await once()
        took.append((time.perf_counter() - began) * 1000)
    return took


def report(what: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p90 = ms[max(0, int(len(ms) * 0.9) - 1)]
    print(f"{what:<46} median {statistics.median(ms):7.2f} ms   p90 {p90:7.2f} ms   n={len(ms)}")


async def run_one(pool: SshPool, target: SshTarget, eid: int, work: Path) -> None:
    sink = Sink()
    request = RunRequest(eid, ScriptType.SHELL, "echo hi", ssh=target)
    context = CommandContext(sink, CommandSettings(work_dir=work), lambda e: None, pool)
    await RunOverSsh(request, context).start()
    assert sink.result is not None and sink.result.status is Status.SUCCESS, sink.result


async def bench(directory: Path, runs: int, fan_outs: list[int]) -> None:
    port = int((directory / "port").read_text())
    user = (directory / "user").read_text().strip()
    key = Secret((directory / "client_ed25519_key").read_text())
    target = SshTarget("bench", "127.0.0.1", port, user, private_key=key)
    known = KnownHosts(directory / "bench_known_hosts")

    def connect_once() -> None:
        connect(target, HostKeyPolicy.ACCEPT_NEW, known, time.monotonic() + 10).close()

    report("(a) connect + login", await timed(runs, lambda: asyncio.to_thread(connect_once)))
    async with SshPool(known) as pool:
        lease = await pool.lease(target, 0)

        async def bare() -> None:
            reader = await start_command(pool, lease, "true")
            await reader.exited
            reader.close()

        report("(b) exec `true` on a pooled connection", await timed(runs, bare))
        lease.release()
        ids = iter(range(1, 1 << 30))
        report(
            "(c) run-ssh `echo hi` on a pooled connection",
            await timed(runs, lambda: run_one(pool, target, next(ids), directory)),
        )
    for nodes in fan_outs:
        await fan_out(directory, known, target, nodes)


async def fan_out(directory: Path, known: KnownHosts, target: SshTarget, nodes: int) -> None:
    targets = [dataclasses.replace(target, node=f"n{i}") for i in range(nodes)]
    async with SshPool(known, max_sessions=max(64, nodes)) as pool:
        began = time.perf_counter()
        await asyncio.gather(*(run_one(pool, t, i, directory) for i, t in enumerate(targets)))
        wall = (time.perf_counter() - began) * 1000
        count = pool.connection_count()
    what = f"(d) {nodes} nodes at once, fresh pool"
    print(f"{what:<46} wall   {wall:7.1f} ms   ({count} connections)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--nodes", type=int, nargs="+", default=[20, 100])
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="jobfleet-bench-sshd-", dir="/tmp"))
    directory.chmod(0o711)
    subprocess.run([str(SSHD), "start", str(directory)], check=True, stdout=subprocess.DEVNULL)
    try:
        asyncio.run(bench(directory, args.runs, args.nodes))
    finally:
        subprocess.run([str(SSHD), "stop", str(directory)], check=True)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
