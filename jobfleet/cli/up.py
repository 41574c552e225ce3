"""`jobfleet up`: the embedded default in one command.

Starts a master (SQLite under the data dir), one slave and the gateway on 127.0.0.1, runs a
real command on the local machine through the REST API, prints its output live, then keeps the
services up (Ctrl-C stops them) unless --once.

Secrets live in private files under the data dir (made on first use, 0600): the admin token
(the master's only; the slave and the gateway never see it) and the join token the slave
enrols with (it then keeps a credential of its own in DATA_DIR/slave).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import sys
import time
import urllib.request
from pathlib import Path

from jobfleet.cli.auth import token_channel
from jobfleet.cli.client import STATUS_WORD, follow, wait_for_slave
from jobfleet.cli.processes import Daemon, StartError, private_file, spawn, wait_ready

DEMO_SCRIPT = """\
echo "hello from $(hostname), running as $(id -un) in $PWD"
for i in 1 2 3 4 5; do
  echo "step $i of 5: $(date +%H:%M:%S.%N | cut -c1-12)"
  sleep 0.4
done
echo "kernel: $(uname -sr), load: $(cut -d' ' -f1-3 /proc/loadavg)"
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("up", help="start master, slave and gateway here and run a demo job")
    p.add_argument("--data-dir", type=Path, default=Path(".jobfleet"))
    p.add_argument("--master-port", type=int, default=7070)
    p.add_argument("--gateway-port", type=int, default=8080)
    p.add_argument("--slave-name", default=socket.gethostname())
    p.add_argument("--once", action="store_true", help="stop everything after the demo job")
    p.add_argument("--no-demo", action="store_true", help="start the services only")
    p.set_defaults(func=run)


ADMIN_TOKEN_ENV = "JOBFLEET_ADMIN_TOKEN"
ADMIN_TOKEN_FILE = "admin.token"
JOIN_TOKEN_FILE = "join.token"


def run(args: argparse.Namespace) -> int:
    daemons: list[Daemon] = []
    # The master's bootstrap admin token: $JOBFLEET_ADMIN_TOKEN, else the one kept in the data
    # dir, else a new one (printed to this terminal only; the master reads it from its file).
    data = args.data_dir.resolve()
    chosen = os.environ.get(ADMIN_TOKEN_ENV, "").strip()
    if chosen:
        (data / ADMIN_TOKEN_FILE).unlink(missing_ok=True)
    token = private_file(data / ADMIN_TOKEN_FILE, lambda: chosen or secrets.token_urlsafe(32))
    private_file(data / JOIN_TOKEN_FILE, lambda: secrets.token_urlsafe(32))
    try:
        master, gateway = start_all(args, daemons, token)
        ok = True
        if not args.no_demo:
            ok = demo(master, gateway, args.slave_name, token)
        print_urls(master, gateway, args.data_dir, token)
        if not args.once:
            wait_for_signal()
        return 0 if ok else 1
    except (StartError, TimeoutError) as exc:
        print(f"jobfleet up: {exc}", file=sys.stderr)
        return 1
    finally:
        for daemon in reversed(daemons):
            daemon.stop()


def start_all(args: argparse.Namespace, daemons: list[Daemon], token: str) -> tuple[str, str]:
    data = args.data_dir.resolve()
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    logs = data / "logs"
    for name in ("master", "gateway"):
        (data / f"{name}.ready").unlink(missing_ok=True)
    print(f"starting master (SQLite in {data}) …", flush=True)
    daemons.append(
        spawn(
            "master",
            "master",
            [
                "--listen",
                f"127.0.0.1:{args.master_port}",
                "--data-dir",
                str(data),
                "--ready-file",
                str(data / "master.ready"),
                "--admin-token-file",
                str(data / ADMIN_TOKEN_FILE),
                "--join-token-file",
                str(data / JOIN_TOKEN_FILE),
            ],
            logs,
            scrubbed=True,
        )
    )
    master = wait_ready(daemons[-1], data / "master.ready")
    print(f"starting slave {args.slave_name} …", flush=True)
    slave_args = ["--master", master, "--name", args.slave_name]
    slave_args += ["--join-token-file", str(data / JOIN_TOKEN_FILE)]
    slave_args += ["--state-dir", str(data / "slave")]
    daemons.append(spawn("slave", "slave", slave_args, logs, scrubbed=True))
    print("starting gateway …", flush=True)
    daemons.append(
        spawn(
            "gateway",
            "gateway",
            [
                "--master",
                master,
                "--listen",
                f"127.0.0.1:{args.gateway_port}",
                "--ready-file",
                str(data / "gateway.ready"),
            ],
            logs,
            scrubbed=True,
        )
    )
    gateway = wait_ready(daemons[-1], data / "gateway.ready")
    with token_channel(master, token) as channel:
        wait_for_slave(channel, args.slave_name)
    return master, gateway


def demo(master: str, gateway: str, node: str, token: str) -> bool:
    body = json.dumps(
        {
            "name": "hello jobfleet",
            "node_type": "builtin",
            "node_cont": node,
            "scripts_type": "shell",
            "scripts_cont": DEMO_SCRIPT,
            "timeout": 60,
        }
    ).encode()
    req = urllib.request.Request(
        f"http://{gateway}/task/1/plugin_cmd",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "appname": "jobfleet-up",
            "Authorization": f"Token {token}",
        },
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        answer = json.load(resp)
    if not answer.get("stat"):  # OpenC3's refusals are HTTP 200 with `stat: false`
        print(f"jobfleet up: the demo task was refused: {answer.get('info')}", file=sys.stderr)
        return False
    uuid = answer["uuid"]
    print(
        f"\nsubmitted task {uuid} on node {node} (POST /task/1/plugin_cmd); live output:\n",
        flush=True,
    )
    started = time.monotonic()
    with token_channel(master, token) as channel:
        task = follow(channel, uuid)
    word = STATUS_WORD[task.status]
    print(f"\ntask {uuid}: {word} in {time.monotonic() - started:.1f} s", flush=True)
    return bool(word == "success")


def print_urls(master: str, gateway: str, data: Path, token: str) -> None:
    auth = f"Authorization: Token {token}"
    token_file = data.resolve() / ADMIN_TOKEN_FILE
    print(
        f"""
jobfleet is up:
  web console     http://{gateway}/ui/   sign in with the admin token below
  gateway (REST)  http://{gateway}   e.g. curl -H '{auth}' http://{gateway}/task/1
  master (gRPC)   {master}   e.g. grpcurl -plaintext -H '{auth}' {master} list
  command line    JOBFLEET_MASTER={master} JOBFLEET_TOKEN_FILE={token_file} jobfleet tasks
  data and logs   {data.resolve()}
  admin token     {token}
                  (every project; kept in {data.resolve() / ADMIN_TOKEN_FILE}; keep it secret)
  join token      in {data.resolve() / JOIN_TOKEN_FILE}: more slaves enrol with it
                  (jobfleet-slave --master {master} --join-token-file FILE)
""",
        flush=True,
    )


def wait_for_signal() -> None:
    print("Ctrl-C stops everything.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        signal.pause()
    except (KeyboardInterrupt, SystemExit):
        pass
    print("stopping …", flush=True)
