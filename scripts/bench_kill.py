#!/usr/bin/env python3
"""Kill: from DELETE /slave/<node>/killtask/<uuid> until the last process the task started is
gone, on a slave with `--cgroups auto` (cg) and one with `--cgroups off` (pg); real master,
gateway and slaves on loopback, polling /proc every 2 ms.

Cases (every child leaves the process group; each repeated 10 times per slave):
  term    setsid + double fork, environment kept: they die on SIGTERM
  ignore  as term, plus one that ignores SIGTERM: SIGKILL after --grace
  clean   setsid + double fork under `env -i` (no run mark): only a cgroup finds them
Also the start cost: POST of `true` until success, per slave (30 times).

--race (root, cgroup v2; no daemons): why a run starts behind a gate. A bash whose first line
is `env -i setsid sh -c 'sleep ..' &` is moved into a cgroup (a) from the parent right after
it started, (b) behind the gate the slave uses; in how many runs (10) children ended up
outside, and how long the move took. --quick runs it once too, where cgroups are available.

The kill and start cost use public entry points only (benchfleet.py). The race measures the
package slave.commands.cgroups by design, through CgroupRoot (open, create, release, close),
Cgroup (adopt, pids, kill, wait_empty) and gated, as the slave's run command uses them.
Usage: .venv/bin/python scripts/bench_kill.py [--grace 0.5] [--race] [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import benchlib
from benchfleet import Fleet, rest, submit, task, until_final

from slave.commands.cgroups import CgroupRoot, CgroupsUnavailable, gated

CASES = {
    "term": "setsid sleep {t} & sh -c 'setsid sleep {t} &'\n",
    "ignore": "setsid sleep {t} & sh -c 'setsid sleep {t} &'\n"
    "setsid sh -c 'trap \"\" TERM; sleep {t}; :' &\n",
    "clean": "env -i setsid sleep {t} & env -i sh -c 'setsid sleep {t} &'\n",
}
CHILDREN = {"term": 2, "ignore": 4, "clean": 2}
"""Processes whose arguments hold the tag once a case has started."""
NODES = {"cg": "auto", "pg": "off"}
"""The two slaves, by name: their --cgroups."""


def plugin_cmd(node: str, script: str) -> dict[str, object]:
    return {
        "name": "bench",
        "node_type": "builtin",
        "node_cont": node,
        "scripts_type": "shell",
        "scripts_cont": script,
        "timeout": 600,
    }


def with_argument(text: str) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        try:
            argv = Path(f"/proc/{name}/cmdline").read_bytes()
            state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text.encode() in argv and state != "Z":
            found.append(int(name))
    return found


def poll_until(check: Callable[[], bool], timeout: float, step: float = 0.002) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


def kill_once(gateway: str, node: str, case: str, grace: float) -> float | None:
    """Seconds from the kill request until no child is left; None if some outlived grace+5 s."""
    tag = f"300.{secrets.randbelow(10**9):09d}"
    script = CASES[case].format(t=tag) + "sleep 1000\n"
    uuid = submit(gateway, "plugin_cmd", plugin_cmd(node, script))
    if not poll_until(lambda: len(with_argument(tag)) >= CHILDREN[case], 30):
        raise SystemExit(f"{case} on {node}: the children did not start")
    began = time.perf_counter()
    rest("DELETE", f"http://{gateway}/slave/{node}/killtask/{uuid}")
    gone = poll_until(lambda: not with_argument(tag), grace + 5)
    took = time.perf_counter() - began
    for pid in with_argument(tag):  # what the slave could not find
        os.kill(pid, signal.SIGKILL)
    poll_until(lambda: task(gateway, uuid)["status"] == "fail", 30, step=0.02)  # killed
    return took if gone else None


def start_cost(gateway: str, node: str) -> float:
    """Milliseconds from POST `true` until GET shows success (polled every 2 ms)."""
    body = plugin_cmd(node, "true")
    began = time.perf_counter()
    until_final(gateway, submit(gateway, "plugin_cmd", body), poll=0.002)
    return (time.perf_counter() - began) * 1000


def containment(log: Path) -> str:
    """What the slave said at start about how runs are contained."""
    said = [line for line in log.read_text().splitlines() if "runs are contained" in line]
    return said[0][said[0].index("runs are contained") :] if said else "?"


def kills(args: argparse.Namespace, out: benchlib.Figures) -> None:
    with tempfile.TemporaryDirectory() as tmp, Fleet(Path(tmp)) as fleet:
        fleet.start_master()
        logs = {}
        for node, mode in NODES.items():
            slave = fleet.start_slave(node, "--kill-grace", str(args.grace), "--cgroups", mode)
            logs[node] = slave.log
        gateway = fleet.start_gateway()
        for node in NODES:
            costs = [start_cost(gateway, node) for _ in range(benchlib.repeat(args, 30, 1))]
            what = f"{node}: start cost, POST `true` -> success"
            out.add(what, "ms", costs, containment(logs[node]))
        for case in CASES:
            for node in NODES:
                runs = benchlib.repeat(args, 10, 1)
                took = [kill_once(gateway, node, case, args.grace) for _ in range(runs)]
                done = [t * 1000 for t in took if t is not None]
                note = f"{len(done)}/{runs} runs left nothing (grace {args.grace:g} s)"
                out.add(f"{case:6} {node}: kill -> last child gone", "ms", done, note)


def race(runs: int, out: benchlib.Figures) -> None:
    try:
        root = CgroupRoot.open()
    except CgroupsUnavailable as exc:
        out.add("race: not measured", "", [], f"no cgroups: {exc}")
        return
    try:
        for gate in (False, True):
            outside, moves = 0, []
            for _ in range(runs):
                escaped, move = race_once(root, gate)
                outside += escaped
                moves.append(move * 1000)
            how = "behind the gate" if gate else "moved after start"
            note = f"in {outside} of {runs} runs children ended up outside the cgroup"
            out.add(f"race, {how}: the move", "ms", moves, note)
    finally:
        asyncio.run(root.close())


def race_once(root: CgroupRoot, gate: bool) -> tuple[int, float]:
    tag = f"300.{secrets.randbelow(10**9):09d}"
    cgroup = root.create("race")
    argv = ["bash", "-c", f"env -i setsid sh -c 'sleep {tag}' & sleep {tag}"]
    stdin = subprocess.PIPE if gate else subprocess.DEVNULL
    command = gated(argv, os.environ) if gate else argv
    proc = subprocess.Popen(command, stdin=stdin, stderr=subprocess.DEVNULL)
    move = benchlib.seconds(lambda: cgroup.adopt(proc.pid))
    if proc.stdin is not None:
        proc.stdin.write(b"go\n")
        proc.stdin.close()
    poll_until(lambda: len(with_argument(tag)) >= 4, 10)  # bash, its sleep, sh, its sleep
    outside = set(with_argument(tag)) - set(cgroup.pids())
    for pid in outside:
        os.kill(pid, signal.SIGKILL)
    cgroup.kill()
    proc.wait()
    asyncio.run(cgroup.wait_empty(5))
    root.release(cgroup)
    return int(bool(outside)), move


def main() -> int:
    p = benchlib.parser(__doc__)
    p.add_argument("--grace", type=float, default=0.5, help="the slaves' --kill-grace")
    p.add_argument("--race", action="store_true", help="the start race instead (see above)")
    args = benchlib.parse(p, {})
    out = benchlib.Figures("kill")
    if not args.race:
        kills(args, out)
    if args.race or args.quick:
        race(benchlib.repeat(args, 10, 1), out)
    out.emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
