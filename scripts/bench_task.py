#!/usr/bin/env python3
"""A task through the whole system, with real processes on loopback (master, slave, gateway):

(a) latency: POST /task/1/plugin_cmd of `echo hi` on one slave until GET /task/1/:uuid shows
    success, polling every 2 ms (repeated 50 times): each request on a new connection, and
    all of them on one kept-alive connection (as real clients do: it must be as fast);
(c) a REST client on one kept-alive connection: GET /task/1/:uuid (200 times, after 20 that
    warm up);
(b) ingest: a command printing --megabytes MB; from submit until the task is success, which
    the master writes only after every chunk is stored: MB/s into the store (3 times). The
    same command piped to /dev/null alone, and the same bytes over a bare SlaveLink stream
    that stores nothing (bench_stream.py), are the peer figures;
(d) the worst case for keeping stdout and stderr apart in order: --switches lines of 50 bytes
    (20,000), alternating stdout and stderr, each flushed (a chunk per switch), submit until
    success (3 times).

Public entry points only: the daemons' CLIs and the gateway's REST routes (benchfleet.py).
Usage: .venv/bin/python scripts/bench_task.py [--megabytes 100] [--switches 20000] [--db URL]
       [--repeat N]
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
from pathlib import Path
from typing import Any

import bench_stream
import benchlib
from benchfleet import FINAL, Fleet, submit, until_final

FLOOD = (
    "import sys\nline = b'x' * 1023 + b'\\n'\nw = sys.stdout.buffer.write\n"
    "for _ in range({n}): w(line)\n"
)
ALTERNATING = (
    "import sys\nline = b'y' * 49 + b'\\n'\nout, err = sys.stdout.buffer, sys.stderr.buffer\n"
    "for i in range({n}):\n    s = err if i % 2 else out\n    s.write(line)\n    s.flush()\n"
)
BODY = {"name": "bench", "node_type": "builtin", "node_cont": "bench", "timeout": 600}


def run_task(gateway: str, script: str, stype: str = "shell", poll: float = 0.002) -> float:
    """Seconds from POST plugin_cmd until GET shows the task succeeded."""
    body = BODY | {"scripts_type": stype, "scripts_cont": script}
    began = time.perf_counter()
    until_final(gateway, submit(gateway, "plugin_cmd", body), poll)
    return time.perf_counter() - began


class KeptAlive:
    """One HTTP/1.1 connection to the gateway, kept open, with the admin token."""

    def __init__(self, gateway: str) -> None:
        host, _, port = gateway.rpartition(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.headers = {"Authorization": f"Token {os.environ['JOBFLEET_ADMIN_TOKEN']}"}

    def call(self, method: str, path: str, body: dict[str, object] | None = None) -> Any:
        sent = json.dumps(body).encode() if body is not None else None
        headers = self.headers | ({"Content-Type": "application/json"} if sent else {})
        self.conn.request(method, path, body=sent, headers=headers)
        answer = json.loads(self.conn.getresponse().read())
        if not isinstance(answer, dict) or answer.get("stat") is not True:
            raise SystemExit(f"{method} {path}: {answer}")
        return answer

    def run_task(self, script: str, poll: float = 0.002) -> float:
        """Seconds from POST plugin_cmd until GET shows the task succeeded (as run_task)."""
        began = time.perf_counter()
        body = BODY | {"scripts_type": "shell", "scripts_cont": script}
        uuid = self.call("POST", "/task/1/plugin_cmd", body)["uuid"]
        while (data := self.call("GET", f"/task/1/{uuid}")["data"])["status"] not in FINAL:
            time.sleep(poll)
        if data["status"] != "success":
            raise SystemExit(f"task {uuid} ended {data['status']}: {data.get('reason')}")
        return time.perf_counter() - began


def kept_alive_gets(gateway: str, count: int) -> list[float]:
    """Seconds per GET of one task, all on one HTTP/1.1 connection (as a polling client)."""
    uuid = submit(gateway, "plugin_cmd", BODY | {"scripts_cont": "true"})
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


def alone(script: str) -> float:
    """Seconds the flood takes piped to /dev/null, without jobfleet."""
    command = [sys.executable, "-c", script]
    return benchlib.seconds(lambda: subprocess.run(command, stdout=subprocess.DEVNULL, check=True))


def measure(gateway: str, args: argparse.Namespace, out: benchlib.Figures) -> None:
    run_task(gateway, "echo warm-up")
    lat = [run_task(gateway, "echo hi") * 1000 for _ in range(benchlib.repeat(args, 50, 3))]
    out.add("(a) POST plugin_cmd `echo hi` -> success, polled over REST", "ms", lat)
    kept = KeptAlive(gateway)
    try:
        kept_ms = [kept.run_task("echo hi") * 1000 for _ in range(benchlib.repeat(args, 50, 3))]
    finally:
        kept.conn.close()
    out.add("(a) the same on one kept-alive connection", "ms", kept_ms, "as fast as (a)")
    gets = kept_alive_gets(gateway, benchlib.repeat(args, 200, 20))
    out.add("(c) GET /task/1/:uuid on one kept-alive connection", "ms", [t * 1000 for t in gets])
    script = FLOOD.format(n=args.megabytes * 1024)
    runs = benchlib.repeat(args, 3, 1)
    took = [run_task(gateway, script, "python", poll=0.01) for _ in range(runs)]
    note = f"{args.megabytes} MB, median {statistics.median(took):.2f} s"
    out.add("(b) output into the store", "MB/s", [args.megabytes / t for t in took], note)
    out.add("(b) the same command alone, to /dev/null", "s", [alone(script) for _ in range(runs)])
    bare = bench_stream.measure(args.megabytes, runs)
    out.add("(b) the same bytes over a bare SlaveLink stream, no store", "MB/s", bare)
    flipping = ALTERNATING.format(n=args.switches)
    took = [run_task(gateway, flipping, "python", poll=0.01) for _ in range(runs)]
    note = f"{args.switches} lines of 50 bytes, stdout and stderr in turn"
    out.add("(d) output switching stream every line: submit -> success", "s", took, note)


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--megabytes", type=int, default=100, help="output of (b)")
    p.add_argument("--switches", type=int, default=20_000, help="lines of (d)")
    p.add_argument("--db", default="", help="database URL (default: SQLite in a temp dir)")
    args = benchlib.parse(p, {"megabytes": 2, "switches": 200})
    out = benchlib.Figures("task")
    with tempfile.TemporaryDirectory() as tmp, Fleet(Path(tmp)) as fleet:
        fleet.start_master(*(["--db", args.db] if args.db else []))
        fleet.start_slave("bench")
        measure(fleet.start_gateway(), args, out)
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
