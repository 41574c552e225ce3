#!/usr/bin/env python3
"""File copies: how fast the slave moves bytes between the master's file store and machines.

Starts a master (its file store), a private sshd on 127.0.0.1 (scripts/sshd) and, for the end
to end part, one slave and the gateway. Then, R times each (medians printed):

  commands  the copy commands in this process against the master's FileService: place a blob
            here, over SFTP on 1 node and on 3 nodes at once; fetch a file here and over SFTP
  system    POST /fileserver (the upload), then plugin_scp of it to m1,m2,m3 (three nodelist
            entries on the sshd, as root) until the task is final: the wall time of the copy

Usage: .venv/bin/python scripts/bench_copy.py [--megabytes 200] [--repeat 3] [--skip-system]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

import grpc  # noqa: E402
from jobfleet.cli.auth import local_admin_token, token_channel  # noqa: E402
from jobfleet.cli.client import wait_for_slave  # noqa: E402
from jobfleet.cli.processes import Daemon, spawn, wait_ready  # noqa: E402

from slave.commands.base import CommandContext, CommandSettings  # noqa: E402
from slave.commands.runas import current_user  # noqa: E402
from slave.commands.scope import Scope  # noqa: E402
from slave.copy.fetch import FetchCopy  # noqa: E402
from slave.copy.place import PlaceCopy  # noqa: E402
from slave.files import MasterFiles  # noqa: E402
from slave.messages import Blob, FetchRequest, PlaceRequest, Result, Secret, SshTarget  # noqa: E402
from slave.ssh.hostkeys import KnownHosts  # noqa: E402
from slave.ssh.pool import SshPool  # noqa: E402

MB = 1 << 20


class Sink:
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


def median_line(what: str, size: int, times: list[float]) -> str:
    mid = statistics.median(times)
    runs = ", ".join(f"{t:.2f}" for t in times)
    return f"{what}: median {mid:.2f} s, {size / mid / 1e6:.0f} MB/s (runs: {runs})"


async def copy(request: FetchRequest | PlaceRequest, context: CommandContext) -> Result:
    command = (FetchCopy if isinstance(request, FetchRequest) else PlaceCopy)(request, context)  # type: ignore[arg-type]
    await command.start()
    result = context.sink.results[-1]  # type: ignore[attr-defined]
    if result.status.value != "success":
        raise SystemExit(f"copy failed: {result.reason}")
    return result  # type: ignore[no-any-return]


async def timed(run: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        await run()
        times.append(time.perf_counter() - began)
    return times


async def commands(
    master: str, sshd: Path, port: int, work: Path, args: argparse.Namespace
) -> None:
    size = args.megabytes * MB
    source = work / "source.bin"
    big_file(source, args.megabytes)
    target = SshTarget(
        "m", "127.0.0.1", port, "root", Secret((sshd / "client_ed25519_key").read_text())
    )
    # Local copies act as the bench's own account (its temp dir is private), as a slave
    # started with --run-as <that account> would.
    scope = Scope((current_user().name,))
    settings = CommandSettings(work_dir=work, slave_name="bench", scope=scope)
    async with (
        grpc.aio.insecure_channel(master) as channel,
        SshPool(KnownHosts(work / "known_hosts")) as pool,
    ):
        token = os.environ["JOBFLEET_ADMIN_TOKEN"]  # the admin's file store: bound to no copy
        files = MasterFiles(lambda: (("authorization", f"Token {token}"),))
        files.link_up(channel)
        context = CommandContext(Sink(), settings, lambda eid: None, pool, files)
        fetched = await copy(FetchRequest(1, str(source)), context)
        blob: Blob = fetched.fetched  # type: ignore[assignment]
        dest = work / "dest"

        def place(n: int, node: str | None) -> Awaitable[Result]:
            ssh = None if node is None else SshTarget(**{**target.__dict__, "node": node})
            return copy(PlaceRequest(10 + n, blob, f"{dest}/{n}/", "copy.bin", ssh=ssh), context)

        async def three() -> None:
            await asyncio.gather(*(place(n, f"m{n}") for n in range(3)))

        print(median_line("place here", size, await timed(lambda: place(0, None), args.repeat)))
        print(
            median_line(
                "place over SFTP, 1 node", size, await timed(lambda: place(0, "m0"), args.repeat)
            )
        )
        times = await timed(three, args.repeat)
        print(median_line("place over SFTP, 3 nodes at once (3x the bytes)", 3 * size, times))
        fetch_here = lambda: copy(FetchRequest(2, str(source)), context)  # noqa: E731
        print(median_line("fetch here", size, await timed(fetch_here, args.repeat)))
        fetch_ssh = lambda: copy(FetchRequest(3, str(source), ssh=target), context)  # noqa: E731
        print(median_line("fetch over SSH (cat)", size, await timed(fetch_ssh, args.repeat)))
        lease = await pool.lease(target, 0)
        print(f"SSH cipher: {lease.transport.remote_cipher}")
        lease.release()


def call(url: str, body: dict[str, object] | None = None) -> dict[str, object]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url,
        data=data,
        method="POST" if data else "GET",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=600) as resp:
        return dict(json.load(resp))


def upload(gateway: str, path: Path) -> None:
    token = os.environ["JOBFLEET_ADMIN_TOKEN"]  # set by local_admin_token()
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
    uuid = call(f"http://{gateway}/task/1/plugin_scp", body)["uuid"]
    while True:
        data = call(f"http://{gateway}/task/1/{uuid}")["data"]
        if data["status"] in ("success", "fail", "killed"):  # type: ignore[index]
            took = time.perf_counter() - began
            if data["status"] != "success":  # type: ignore[index]
                raise SystemExit(f"copy task ended {data['status']}: {data['reason']}")  # type: ignore[index]
            return took
        time.sleep(0.02)


def system(master: str, sshd: Path, port: int, work: Path, args: argparse.Namespace) -> None:
    slave_args = ["--master", master, "--name", "s1", "--ssh-known-hosts", str(work / "kh")]
    slave_args += ["--run-as", current_user().name]  # the step's account: root when run as root
    daemons = [spawn("slave", "slave", slave_args, work)]
    gateway_args = [
        "--master",
        master,
        "--listen",
        "127.0.0.1:0",
        "--ready-file",
        str(work / "g.ready"),
    ]
    daemons.append(spawn("gateway", "gateway", gateway_args, work))
    try:
        gateway = wait_ready(daemons[-1], work / "g.ready")
        with token_channel(master) as channel:
            wait_for_slave(channel, "s1")
        key = (sshd / "client_ed25519_key").read_text()
        call(f"http://{gateway}/userlist/1", {"username": "root", "private_key": key})
        for name in ("m1", "m2", "m3"):
            call(
                f"http://{gateway}/nodelist/1", {"name": name, "inip": "127.0.0.1", "sshport": port}
            )
        began = time.perf_counter()
        upload(gateway, work / "source.bin")
        print(
            f"upload {args.megabytes} MB through the gateway: {time.perf_counter() - began:.2f} s"
        )
        times = [system_copy(gateway, work / "system") for _ in range(args.repeat)]
        size = args.megabytes * MB
        print(median_line(f"store -> m1,m2,m3 over SSH, {args.megabytes} MB each", 3 * size, times))
    finally:
        for daemon in reversed(daemons):
            daemon.stop()


def main() -> int:
    local_admin_token()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--megabytes", type=int, default=200)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--skip-system", action="store_true")
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jobfleet-bench-copy-", dir="/tmp"))
    work.chmod(0o711)
    sshd = work / "sshd"
    sshd.mkdir(mode=0o711)
    started = subprocess.run(
        [str(ROOT / "scripts/sshd"), "start", str(sshd)], check=True, capture_output=True, text=True
    )
    port = int(started.stdout.strip().splitlines()[-1])
    master: Daemon | None = None
    try:
        master_args = [
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            str(work / "master"),  # the master makes it 0700; the sshd dir beside it stays open
            "--ready-file",
            str(work / "m.ready"),
        ]
        master = spawn("master", "master", master_args, work)
        address = wait_ready(master, work / "m.ready")
        asyncio.run(commands(address, sshd, port, work, args))
        if not args.skip_system:
            system(address, sshd, port, work, args)
    finally:
        if master is not None:
            master.stop()
        subprocess.run([str(ROOT / "scripts/sshd"), "stop", str(sshd)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
