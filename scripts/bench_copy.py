#!/usr/bin/env python3
"""File copies: how fast the slave moves bytes between the master's file store and machines.

Starts a master (its file store), a private sshd on 127.0.0.1 (scripts/sshd) and, for the end
to end part, one slave and the gateway. Then, 3 times each (medians reported):

  commands  the copy commands in this process against the master's FileService: place a blob
            here, over SFTP on 1 node and on 3 nodes at once; fetch a file here and over SSH
  system    POST /fileserver (the upload, once), then plugin_scp of it to m1,m2,m3 (three
            nodelist entries on the sshd, as root) until the task is final: the copy's wall time

The system part uses public entry points only (benchfleet.py). The commands part measures the
package slave.copy by design: its two commands, run as the slave daemon runs them, through
slave.commands.registry.lookup(request.command) with a CommandContext (slave.commands.base),
the request types of slave.messages, the file store client slave.files.MasterFiles and the
connection pool slave.ssh.pool.SshPool (with slave.ssh.hostkeys.KnownHosts).
Usage: .venv/bin/python scripts/bench_copy.py [--megabytes 200] [--skip-system] [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import pwd
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import benchlib
import grpc
from benchfleet import Fleet, Sshd, rest, sshd, submit, until_final, work_dir

from slave.commands.base import CommandContext, CommandSettings
from slave.commands.registry import lookup
from slave.commands.scope import Scope
from slave.files import MasterFiles
from slave.messages import FetchRequest, PlaceRequest, Result, Secret, SshTarget
from slave.ssh.hostkeys import KnownHosts
from slave.ssh.pool import SshPool

MB = 1 << 20


class Sink:
    """The commands' output sink: keeps the results."""

    def __init__(self) -> None:
        self.results: list[Result] = []

    def started(self, started: object) -> None:
        pass

    async def output(self, chunk: object) -> None:
        pass

    def finished(self, result: Result) -> None:
        self.results.append(result)


def big_file(path: Path, megabytes: int) -> None:
    with path.open("wb") as out:
        for _ in range(megabytes):
            out.write(os.urandom(MB))


def add(out: benchlib.Figures, what: str, size: int, times: list[float]) -> None:
    """A copy's figure: MB/s of each repetition; the median wall time in the note."""
    note = f"{size / MB:.0f} MB, median {statistics.median(times):.2f} s"
    out.add(what, "MB/s", [size / t / 1e6 for t in times], note)


async def copy(request: FetchRequest | PlaceRequest, context: CommandContext, sink: Sink) -> Result:
    await lookup(request.command)(request, context).start()
    result = next(r for r in reversed(sink.results) if r.execution_id == request.execution_id)
    if result.status.value != "success":
        raise SystemExit(f"copy failed: {result.reason}")
    return result


def own_account() -> str:
    """This process's account: local copies act as it, as a slave with --run-as <it> would."""
    return pwd.getpwuid(os.geteuid()).pw_name


async def commands(
    master: str, server: Sshd, work: Path, args: argparse.Namespace, out: benchlib.Figures
) -> None:
    size = args.megabytes * MB
    source = work / "source.bin"
    big_file(source, args.megabytes)
    key = Secret(server.key_file.read_text())
    target = SshTarget("m", "127.0.0.1", server.port, "root", key)
    scope = Scope((own_account(),))  # the bench's temp dir is private to it
    settings = CommandSettings(work_dir=work, slave_name="bench", scope=scope)
    runs = benchlib.repeat(args, 3, 1)
    sink = Sink()
    async with (
        grpc.aio.insecure_channel(master) as channel,
        SshPool(KnownHosts(work / "known_hosts")) as pool,
    ):
        token = os.environ["JOBFLEET_ADMIN_TOKEN"]  # the admin's file store: bound to no copy
        files = MasterFiles(lambda: (("authorization", f"Token {token}"),))
        files.link_up(channel)
        context = CommandContext(sink, settings, lambda eid: None, pool, files)
        blob = (await copy(FetchRequest(1, str(source)), context, sink)).fetched
        assert blob is not None
        dest = work / "dest"

        def place(n: int, node: str | None) -> Awaitable[Result]:
            ssh = None if node is None else dataclasses.replace(target, node=node)
            request = PlaceRequest(10 + n, blob, f"{dest}/{n}/", "copy.bin", ssh=ssh)
            return copy(request, context, sink)

        async def three() -> None:
            await asyncio.gather(*(place(n, f"m{n}") for n in range(3)))

        async def repeated(run: Callable[[], Awaitable[object]]) -> list[float]:
            return [await benchlib.seconds_async(run) for _ in range(runs)]

        here = await repeated(lambda: place(0, None))
        one = await repeated(lambda: place(0, "m0"))
        many = await repeated(three)
        fetch_here = await repeated(lambda: copy(FetchRequest(2, str(source)), context, sink))
        fetch_ssh = FetchRequest(3, str(source), ssh=target)
        over_ssh = await repeated(lambda: copy(fetch_ssh, context, sink))
        lease = await pool.lease(target, 0)
        cipher = lease.transport.remote_cipher
        lease.release()
    add(out, "place here", size, here)
    add(out, "place over SFTP, 1 node", size, one)
    add(out, "place over SFTP, 3 nodes at once (3x the bytes)", 3 * size, many)
    add(out, "fetch here", size, fetch_here)
    add(out, f"fetch over SSH (cat; cipher {cipher})", size, over_ssh)


def upload(gateway: str, path: Path) -> None:
    token = os.environ["JOBFLEET_ADMIN_TOKEN"]  # set by benchfleet.Fleet
    result = subprocess.run(
        [
            "curl",
            "-sf",
            *("--config", "-"),  # the token header from stdin, not from argv
            "-F",
            f"file=@{path};filename=release.bin",
            f"http://{gateway}/fileserver/1",
        ],
        input=f'header = "Authorization: Token {token}"\n',
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"upload failed: {result.stdout} {result.stderr}")


def system_copy(gateway: str, dest: Path) -> float:
    body = {
        "name": "bench copy",
        "user": "root",
        "src_type": "fileserver",
        "src": "",
        "sp": "release.bin",
        "dst_type": "builtin",
        "dst": "m1,m2,m3",
        "dp": f"{dest}/release.bin",
        "chown": "",
        "chmod": "",
        "timeout": "600",
    }
    began = time.perf_counter()
    until_final(gateway, submit(gateway, "plugin_scp", body), poll=0.02)
    return time.perf_counter() - began


def system(
    fleet: Fleet, server: Sshd, work: Path, args: argparse.Namespace, out: benchlib.Figures
) -> None:
    # the step's account: root when run as root
    fleet.start_slave("s1", "--ssh-known-hosts", str(work / "kh"), "--run-as", own_account())
    gateway = fleet.start_gateway()
    key = server.key_file.read_text()
    rest("POST", f"http://{gateway}/userlist/1", {"username": "root", "private_key": key})
    for name in ("m1", "m2", "m3"):
        node = {"name": name, "inip": "127.0.0.1", "sshport": server.port}
        rest("POST", f"http://{gateway}/nodelist/1", node)
    took = benchlib.seconds(lambda: upload(gateway, work / "source.bin"))
    out.add(f"upload {args.megabytes} MB through the gateway", "s", [took])
    times = [system_copy(gateway, work / "system") for _ in range(benchlib.repeat(args, 3, 1))]
    what = f"store -> m1,m2,m3 over SSH, {args.megabytes} MB each (plugin_scp)"
    add(out, what, 3 * args.megabytes * MB, times)


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--megabytes", type=int, default=200)
    p.add_argument("--skip-system", action="store_true", help="the commands part only")
    args = benchlib.parse(p, {"megabytes": 2})
    out = benchlib.Figures("copy")
    work = work_dir("copy")
    try:
        with sshd(work / "sshd") as server, Fleet(work) as fleet:
            # the master makes its data dir 0700; the sshd dir beside it stays open
            master = fleet.start_master(data_dir=work / "master")
            asyncio.run(commands(master, server, work, args, out))
            if not args.skip_system:
                system(fleet, server, work, args, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
