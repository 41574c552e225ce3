#!/usr/bin/env python3
"""`echo hi` over SSH on N inventory entries: jobfleet versus ansible, in one run.

Starts a private sshd on 127.0.0.1 (scripts/sshd), a master, one slave and the gateway; N
nodelist entries (distinct names, the same sshd) and the sshd's key as the execution account.
Then, 3 times each: jobfleet — POST plugin_cmd on all N nodes until GET shows the task final;
ansible — `ansible all -m shell -a 'echo hi' -f 50` over the same N entries, same key and
account (ansible-core from PyPI, installed into a throwaway virtualenv; --quick leaves it out).

Public entry points only: the daemons' CLIs and the gateway's REST routes (benchfleet.py).
Usage: .venv/bin/python scripts/bench_ssh_fanout.py [--nodes 100] [--forks 50] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import benchlib
from benchfleet import Fleet, Sshd, rest, sshd, submit, until_final, work_dir


def jobfleet_run(gateway: str, nodes: list[str], user: str) -> float:
    """Seconds from POST plugin_cmd `echo hi` on `nodes` until the task succeeded."""
    body = {
        "name": "echo hi",
        "node_type": "builtin",
        "node_cont": ",".join(nodes),
        "scripts_type": "shell",
        "scripts_cont": "echo hi",
        "user": user,
        "timeout": 300,
    }
    began = time.perf_counter()
    until_final(gateway, submit(gateway, "plugin_cmd", body), poll=0.01)
    return time.perf_counter() - began


def jobfleet_side(work: Path, server: Sshd, names: list[str], runs: int) -> list[float]:
    with Fleet(work) as fleet:
        fleet.start_master(data_dir=work / "master")  # made 0700; the sshd dir stays open
        fleet.start_slave("bench")
        gateway = fleet.start_gateway()
        key = server.key_file.read_text()
        rest("POST", f"http://{gateway}/userlist/1", {"username": server.user, "private_key": key})
        for name in names:
            node = {"name": name, "inip": "127.0.0.1", "sshport": server.port}
            rest("POST", f"http://{gateway}/nodelist/1", node)
        jobfleet_run(gateway, names[:2], server.user)  # warm-up
        return [jobfleet_run(gateway, names, server.user) for _ in range(runs)]


def ansible_side(work: Path, server: Sshd, names: list[str], forks: int, runs: int) -> list[float]:
    inventory = work / "hosts"
    inventory.write_text(
        "".join(
            f"{n} ansible_host=127.0.0.1 ansible_port={server.port} ansible_user={server.user}\n"
            for n in names
        )
    )
    venv = work / "ansible-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin/pip"), "install", "-q", "ansible-core"], check=True)
    env = {
        **os.environ,
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_PIPELINING": "True",
        "ANSIBLE_SSH_ARGS": "-o ControlMaster=auto -o ControlPersist=60s",
        "ANSIBLE_PYTHON_INTERPRETER": "/usr/bin/python3",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(work / "ansible-tmp"),
    }
    command = [str(venv / "bin/ansible"), "all", "-i", str(inventory), "-m", "shell"]
    command += ["-a", "echo hi", "-f", str(forks), "--private-key", str(server.key_file)]
    return [ansible_run(command, env) for _ in range(runs)]


def ansible_run(command: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    took = time.perf_counter() - began
    if result.returncode != 0:
        raise SystemExit(f"ansible failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return took


def measure(work: Path, args: argparse.Namespace, out: benchlib.Figures) -> None:
    names = [f"node{i:03d}" for i in range(args.nodes)]
    runs = benchlib.repeat(args, 3, 1)
    with sshd(work / "sshd") as server:
        ours = jobfleet_side(work, server, names, runs)
        out.add(f"jobfleet: echo hi over SSH on {args.nodes} nodes", "s", ours)
        if args.skip_ansible:
            return
        theirs = ansible_side(work, server, names, args.forks, runs)
    out.add(f"ansible -m shell -f {args.forks}, the same {args.nodes} nodes", "s", theirs)
    ratio = statistics.median(theirs) / statistics.median(ours)
    out.add("ratio ansible / jobfleet (medians)", "x", [ratio])


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--nodes", type=int, default=100)
    p.add_argument("--forks", type=int, default=50, help="ansible's -f")
    p.add_argument("--skip-ansible", action="store_true", help="measure jobfleet only")
    args = benchlib.parse(p, {"nodes": 3, "skip_ansible": True})
    out = benchlib.Figures("ssh_fanout")
    work = work_dir("ssh")
    try:
        measure(work, args, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
