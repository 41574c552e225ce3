#!/usr/bin/env python3
"""Notifications: how long after a run ends its email reaches a real mail server.

Real processes on loopback (master, a slave named `bench`, gateway) and a real SMTP server
(aiosmtpd on 127.0.0.1, run by this script); the master is started with
--smtp-url smtp://127.0.0.1:<port> and --mail-domain bench.example. Through the REST routes the
admin turns isApiSuccessEmail on (POST /environment; REST submissions are call type `api`) and
makes `ops` project 1's notify user (POST /notify/1). Then `echo hi` is submitted
(POST /task/1/plugin_cmd) one run at a time, the next only after the previous run's email
arrived, and for each run:

(a) from the run's end, the task's `finished_at` as the master recorded it (read afterwards with
    gRPC GetTask: the REST view has whole seconds only), to the moment the SMTP server accepted
    the message (its DATA handler; one machine, one clock): the outbox's whole path, notice
    written with the task's end -> worker woken -> expanded -> claimed -> SMTP;
(b) from POST plugin_cmd until the email arrives: what a user waits, for scale.

One warm-up run first, then 20 timed runs (--repeat N: N; --quick: 3). On SQLite in a temp dir,
and again on a new database on the PostgreSQL server JOBFLEET_TEST_DB names when it is set
(scripts/pg run).
Public entry points only: the daemons' CLIs, the gateway's REST routes and the master's gRPC
GetTask (benchfleet.py). aiosmtpd is a dev dependency (scripts/install installs it).
Usage: [PG_FAST=1 scripts/pg run] .venv/bin/python scripts/bench_notify.py [--repeat N]
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from email import message_from_bytes
from pathlib import Path

import benchlib
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from bench_store import on_postgresql
from bench_task import BODY
from benchfleet import Fleet, rest, submit

from jobfleet.cli.auth import token_channel
from jobfleet.v1 import task_pb2, task_pb2_grpc

MAIL_WAIT = 60.0  # seconds a run's email may take before the benchmark gives up
SETTINGS = {"isApiSuccessEmail": "true", "notifyTemplateEmailContent": "${uuid}"}


class Inbox:
    """aiosmtpd's handler: when each task's email arrived (its body is the task's uuid)."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.changed = threading.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        at = time.time()
        body = message_from_bytes(envelope.original_content or b"").get_payload(decode=True)
        uuid = body.decode().strip() if isinstance(body, bytes) else ""
        with self.changed:
            self.arrived.setdefault(uuid, at)
            self.changed.notify_all()
        return "250 OK"

    def wait(self, uuid: str) -> float:
        """The wall time the email about `uuid` arrived (SystemExit if it does not)."""
        with self.changed:
            if not self.changed.wait_for(lambda: uuid in self.arrived, MAIL_WAIT):
                raise SystemExit(f"no email about task {uuid} after {MAIL_WAIT:g} s")
            return self.arrived[uuid]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def finished_at(master: str, uuid: str) -> float:
    """The task's end as the master recorded it, in epoch seconds."""
    with token_channel(master) as channel:
        ask = task_pb2.GetTaskRequest(project_id=1, uuid=uuid)
        task = task_pb2_grpc.TaskServiceStub(channel).GetTask(ask, timeout=30).task
    if not task.HasField("finished_at"):
        raise SystemExit(f"task {uuid} emailed but not finished")
    return float(task.finished_at.seconds + task.finished_at.nanos / 1e9)


def one_run(fleet: Fleet, inbox: Inbox) -> tuple[float, float]:
    """(run end -> email, submit -> email) of one `echo hi`, in seconds."""
    began = time.time()
    uuid = submit(fleet.gateway, "plugin_cmd", BODY | {"scripts_cont": "echo hi"})
    arrived = inbox.wait(uuid)
    return arrived - finished_at(fleet.master, uuid), arrived - began


def measure(db: str, backend: str, args: argparse.Namespace, out: benchlib.Figures) -> None:
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    flags = ["--smtp-url", f"smtp://127.0.0.1:{smtp.port}", "--mail-domain", "bench.example"]
    try:
        with tempfile.TemporaryDirectory() as work, Fleet(Path(work)) as fleet:
            fleet.start_master(*flags, *(["--db", db] if db else []))
            fleet.start_slave("bench")
            gateway = fleet.start_gateway()
            rest("POST", f"http://{gateway}/environment", SETTINGS)
            rest("POST", f"http://{gateway}/notify/1", {"user": "ops"})
            one_run(fleet, inbox)  # warm-up
            runs = [one_run(fleet, inbox) for _ in range(benchlib.repeat(args, 20, 3))]
    finally:
        smtp.stop(no_assert=True)
    note = "finished_at as the master recorded it -> SMTP server accepted the message"
    out.add(f"{backend}: (a) run end -> email received", "ms", [r[0] * 1000 for r in runs], note)
    out.add(f"{backend}: (b) POST plugin_cmd -> email received", "ms", [r[1] * 1000 for r in runs])


def main() -> int:
    p = benchlib.parser(__doc__)
    args = benchlib.parse(p, {})
    out = benchlib.Figures("notify")
    measure("", "sqlite", args, out)
    on_postgresql(out, lambda url: measure(url, "postgresql", args, out))
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
