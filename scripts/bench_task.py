#!/usr/bin/env python3
"""Benchmark the first slice on this machine, with real processes on loopback:

(a) latency: POST /task/1/plugin_cmd of `echo hi` on one slave until GET /task/1/:uuid shows
    success (median and p90 of N runs, polling every 2 ms);
(b) ingest: a command printing M MB; from submit until the task is success, which the master
    writes only after every chunk is stored: MB/s into the store. The same command piped to
    /dev/null alone is the peer figure;
(c) a REST client on one kept-alive connection: GET /task/1/:uuid, median of 200.

Usage: .venv/bin/python scripts/bench_task.py [--runs 50] [--megabytes 100] [--db URL]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from jobfleet.cli.auth import local_admin_token, token_channel
from jobfleet.cli.client import wait_for_slave
from jobfleet.cli.processes import Daemon, spawn, wait_ready

FLOOD = (
    "import sys\nline = b'x' * 1023 + b'\\n'\nw = sys.stdout.buffer.write\n"
    "for _ in range({n}): w(line)\n"
)


def post(url: str, body: dict[str, object]) -> dict[str, object]:
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return dict(json.load(resp))


def get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return dict(json.load(resp))


BODY = {"name": "bench", "node_type": "builtin", "node_cont": "bench", "timeout": 600}


def run_task(gateway: str, script: str, stype: str = "shell", poll: float = 0.002) -> float:
    body = BODY | {"scripts_type": stype, "scripts_cont": script}
    start = time.perf_counter()
    uuid = post(f"http://{gateway}/task/1/plugin_cmd", body)["uuid"]
    while True:
        data = get(f"http://{gateway}/task/1/{uuid}")["data"]
        status = data["status"]  # type: ignore[index]
        if status in ("success", "fail", "killed"):
            if status != "success":
                raise SystemExit(f"task {uuid} ended {status}: {data}")
            return time.perf_counter() - start
        time.sleep(poll)


def start(tmp: Path, db: str) -> tuple[list[Daemon], str]:
    daemons: list[Daemon] = []
    args = [
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        str(tmp),
        "--ready-file",
        str(tmp / "m.ready"),
    ] + (["--db", db] if db else [])
    daemons.append(spawn("master", "master", args, tmp))
    master = wait_ready(daemons[-1], tmp / "m.ready")
    daemons.append(spawn("slave", "slave", ["--master", master, "--name", "bench"], tmp))
    daemons.append(
        spawn(
            "gateway",
            "gateway",
            ["--master", master, "--listen", "127.0.0.1:0", "--ready-file", str(tmp / "g.ready")],
            tmp,
        )
    )
    gateway = wait_ready(daemons[-1], tmp / "g.ready")
    with token_channel(master) as channel:
        wait_for_slave(channel, "bench")
    return daemons, gateway


def main() -> int:
    local_admin_token()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--megabytes", type=int, default=100)
    p.add_argument("--repeat", type=int, default=3, help="ingest runs (median is reported)")
    p.add_argument("--db", default="", help="database URL (default: SQLite in a temp dir)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        daemons, gateway = start(Path(tmp), args.db)
        try:
            run_task(gateway, "echo warm-up")
            lat = sorted(run_task(gateway, "echo hi") for _ in range(args.runs))
            print(
                f"(a) POST plugin_cmd 'echo hi' -> success over REST, {args.runs} runs: "
                f"median {statistics.median(lat) * 1000:.1f} ms, "
                f"p90 {lat[int(len(lat) * 0.9) - 1] * 1000:.1f} ms, min {lat[0] * 1000:.1f} ms"
            )
            kept = kept_alive_gets(gateway, 200)
            print(
                f"(c) GET /task/1/:uuid on one kept-alive connection, 200 requests: "
                f"median {statistics.median(kept) * 1000:.2f} ms, max {max(kept) * 1000:.1f} ms"
            )
            script = FLOOD.format(n=args.megabytes * 1024)
            took = [run_task(gateway, script, "python", poll=0.01) for _ in range(args.repeat)]
            mid = statistics.median(took)
            alone = peer(script)
            print(
                f"(b) {args.megabytes} MB of output into the store: median {mid:.2f} s "
                f"= {args.megabytes / mid:.0f} MB/s (runs: "
                f"{', '.join(f'{t:.2f}' for t in took)} s); the command alone to /dev/null: "
                f"{alone:.2f} s"
            )
        finally:
            for daemon in reversed(daemons):
                daemon.stop()
    return 0


def kept_alive_gets(gateway: str, count: int) -> list[float]:
    """Seconds per GET of one task, all on one HTTP/1.1 connection (as a polling client)."""
    uuid = post(f"http://{gateway}/task/1/plugin_cmd", BODY | {"scripts_cont": "true"})["uuid"]
    host, _, port = gateway.rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    token = os.environ["JOBFLEET_ADMIN_TOKEN"]
    took = []
    try:
        for _ in range(count + 20):  # the first 20 warm up
            began = time.perf_counter()
            conn.request("GET", f"/task/1/{uuid}", headers={"Authorization": f"Token {token}"})
            reply = conn.getresponse()
            reply.read()
            if reply.status != 200:
                raise SystemExit(f"GET /task/1/{uuid}: {reply.status}")
            took.append(time.perf_counter() - began)
    finally:
        conn.close()
    return took[20:]


def peer(script: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", script], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
