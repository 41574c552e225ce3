#!/usr/bin/env python3
"""`echo hi` over SSH on N inventory entries: jobfleet versus ansible, in one run.

Starts a private sshd on 127.0.0.1 (scripts/sshd), a master, one slave and the gateway; N
nodelist entries (distinct names, the same sshd) and the sshd's key as the execution account.
Then, R times each: jobfleet — POST plugin_cmd on all N nodes until GET shows the task
final; ansible — `ansible all -m shell -a 'echo hi' -f 50` over the same N entries, same key
and account (ansible-core from PyPI, installed into a throwaway virtualenv). Medians printed.

Usage: .venv/bin/python scripts/bench_ssh_fanout.py [--nodes 100] [--repeat 3] [--forks 50]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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

ROOT = Path(__file__).resolve().parent.parent


def call(url: str, body: dict[str, object] | None = None) -> dict[str, object]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url,
        data=data,
        method="POST" if data else "GET",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return dict(json.load(resp))


def start_services(tmp: Path) -> tuple[list[Daemon], str]:
    daemons = [
        spawn(
            "master",
            "master",
            [
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
                str(tmp / "master"),  # the master makes it 0700; the sshd dir stays open
                "--ready-file",
                str(tmp / "m.ready"),
            ],
            tmp,
        )
    ]
    master = wait_ready(daemons[0], tmp / "m.ready")
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


def jobfleet_run(gateway: str, nodes: list[str], user: str) -> float:
    start = time.perf_counter()
    uuid = call(
        f"http://{gateway}/task/1/plugin_cmd",
        {
            "name": "echo hi",
            "node_type": "builtin",
            "node_cont": ",".join(nodes),
            "scripts_type": "shell",
            "scripts_cont": "echo hi",
            "user": user,
            "timeout": 300,
        },
    )["uuid"]
    while True:
        data = call(f"http://{gateway}/task/1/{uuid}")["data"]
        if data["status"] in ("success", "fail", "killed"):  # type: ignore[index]
            took = time.perf_counter() - start
            if data["status"] != "success":  # type: ignore[index]
                raise SystemExit(f"jobfleet task ended {data['status']}: {data['reason']}")  # type: ignore[index]
            return took
        time.sleep(0.01)


def ansible_venv(tmp: Path) -> Path:
    venv = tmp / "ansible-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin/pip"), "install", "-q", "ansible-core"], check=True)
    return venv


def ansible_run(venv: Path, inventory: Path, forks: int, key: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [
            str(venv / "bin/ansible"),
            "all",
            "-i",
            str(inventory),
            "-m",
            "shell",
            "-a",
            "echo hi",
            "-f",
            str(forks),
            "--private-key",
            str(key),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    took = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"ansible failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return took


def main() -> int:
    local_admin_token()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--nodes", type=int, default=100)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--forks", type=int, default=50)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="jobfleet-bench-ssh-", dir="/tmp"))
    tmp.chmod(0o711)
    sshd_dir = tmp / "sshd"
    sshd_dir.mkdir(mode=0o711)
    port = (
        subprocess.run(
            [str(ROOT / "scripts/sshd"), "start", str(sshd_dir)],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    user = (sshd_dir / "user").read_text().strip()
    key = sshd_dir / "client_ed25519_key"
    names = [f"node{i:03d}" for i in range(args.nodes)]
    daemons: list[Daemon] = []
    try:
        daemons, gateway = start_services(tmp)
        call(f"http://{gateway}/userlist/1", {"username": user, "private_key": key.read_text()})
        for name in names:
            call(
                f"http://{gateway}/nodelist/1",
                {"name": name, "inip": "127.0.0.1", "sshport": int(port)},
            )
        jobfleet_run(gateway, names[:2], user)  # warm-up
        ours = [jobfleet_run(gateway, names, user) for _ in range(args.repeat)]
        print(
            f"jobfleet: echo hi over SSH on {args.nodes} nodes: median "
            f"{statistics.median(ours):.2f} s (runs: {', '.join(f'{t:.2f}' for t in ours)})",
            flush=True,
        )
        for daemon in reversed(daemons):
            daemon.stop()
        daemons = []
        inventory = tmp / "hosts"
        inventory.write_text(
            "".join(
                f"{n} ansible_host=127.0.0.1 ansible_port={port} ansible_user={user}\n"
                for n in names
            )
        )
        venv = ansible_venv(tmp)
        env = {
            **os.environ,
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_PIPELINING": "True",
            "ANSIBLE_SSH_ARGS": "-o ControlMaster=auto -o ControlPersist=60s",
            "ANSIBLE_PYTHON_INTERPRETER": "/usr/bin/python3",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCAL_TEMP": str(tmp / "ansible-tmp"),
        }
        theirs = [ansible_run(venv, inventory, args.forks, key, env) for _ in range(args.repeat)]
        print(
            f"ansible -m shell -f {args.forks}: median {statistics.median(theirs):.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in theirs)})"
        )
        print(f"ratio ansible/jobfleet: {statistics.median(theirs) / statistics.median(ours):.1f}x")
    finally:
        for daemon in reversed(daemons):
            daemon.stop()
        subprocess.run([str(ROOT / "scripts/sshd"), "stop", str(sshd_dir)], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
