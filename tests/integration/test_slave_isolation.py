"""Projects on a shared slave, as an attacker holding project B's token sees them: B's commands
and copies run as B's account (or the slave's harmless default), with an allow-listed
environment; they read nothing of the slave's secrets nor of project A's running work; an
account or project the slave does not take is refused before anything starts; and starting
commands as another account next to gRPC's threads never crashes.

One world for the module: a master that requires a join token, a gateway, and two slaves
started with the admin and join tokens in their environment (an operator's slip):
- `shared`, root, `--run-as nobody,jobfleet-a,jobfleet-b` (scripts/test-accounts makes them),
  its join token also in a 0600 file;
- `solo`, started as jobfleet-b itself and serving project 2 only: its commands run as its own
  account, so only its being non-dumpable keeps them out of its /proc entries.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import pg
from tests.integration.conftest import (
    Databases,
    Gateway,
    Master,
    Proc,
    Processes,
    read_ready,
    wait_attached,
)
from tests.integration.rest import FINAL, refusal, submit, task, tasklog
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = ("jobfleet-a", "jobfleet-b")
SECRET = "a-secret-" + secrets.token_hex(8)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="a shared slave runs as root")


@dataclass
class World:
    master: Master
    gateway: Gateway
    base: Path
    """A directory every account may enter (the test's own tmp dirs are 0700)."""
    work_dir: Path
    """The shared slave's work directory."""
    token_file: Path
    join_token: str
    project_b: int
    token_b: str

    def client(self, token: str | None = None) -> httpx.Client:
        return self.gateway.client(token)


def start_master(processes: Processes, databases: Databases, env: dict[str, str]) -> Master:
    data = processes.tmp / "master"
    data.mkdir()
    ready = data / "master.ready"
    args = ["--listen", "127.0.0.1:0", "--data-dir", str(data), "--ready-file", str(ready)]
    args += ["--max-submissions-per-second", "1000"]  # 200 starts at once, on purpose
    proc = processes.spawn("master", "master", [*args, "--db", databases.url_for(data)], env=env)
    return Master(proc, read_ready(proc, ready), data, args, env["JOBFLEET_ADMIN_TOKEN"])


def start_solo(processes: Processes, master: Master, base: Path, env: dict[str, str]) -> Proc:
    """A slave started as jobfleet-b, the way an operator without root would start one."""
    account = pwd.getpwnam("jobfleet-b")
    state = base / "solo-state"
    state.mkdir(mode=0o700)
    os.chown(state, account.pw_uid, account.pw_gid)
    as_account = [
        shutil.which("setpriv") or "setpriv",
        f"--reuid={account.pw_uid}",
        f"--regid={account.pw_gid}",
        "--init-groups",
        "--",
    ]
    args = ["--master", master.addr, "--name", "solo", "--state-dir", str(state)]
    log = processes.tmp / "slave-solo.log"
    with log.open("ab") as out:
        popen = subprocess.Popen(
            [*as_account, sys.executable, "-m", "slave", *args, "--projects", "2"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        )
    proc = Proc("slave-solo", popen, log)
    processes.procs.append(proc)
    return proc


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    subprocess.run([ROOT / "scripts" / "test-accounts"], check=True, capture_output=True)
    processes = Processes(tmp_path_factory.mktemp("isolation"))
    databases = Databases(pg.server_url())
    base = Path(tempfile.mkdtemp(prefix="jobfleet-isolation-", dir="/tmp"))
    base.chmod(0o711)
    try:
        yield make_world(processes, databases, base)
    finally:
        processes.stop_all()
        for proc in processes.procs:
            print(f"----- {proc.name} log (exit {proc.popen.returncode}) -----\n{proc.tail(60)}")
        databases.drop_all()
        shutil.rmtree(base, ignore_errors=True)


def make_world(processes: Processes, databases: Databases, base: Path) -> World:
    admin, join = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    env = {"JOBFLEET_ADMIN_TOKEN": admin, "JOBFLEET_JOIN_TOKEN": join}
    master = start_master(processes, databases, env)
    token_file = base / "join-token"
    token_file.write_text(join)
    token_file.chmod(0o600)
    work_dir = base / "work"
    shared = processes.spawn(
        "slave-shared",
        "slave",
        [
            *("--master", master.addr, "--name", "shared", "--work-dir", str(work_dir)),
            *("--run-as", ",".join(("nobody", *ACCOUNTS)), "--join-token-file", str(token_file)),
            *("--state-dir", str(processes.tmp / "shared-state")),
            *("--ssh-known-hosts", str(processes.tmp / "known_hosts")),
        ],
        env=env,
    )
    solo = start_solo(processes, master, base, env)
    wait_attached(master, "shared", shared)
    wait_attached(master, "solo", solo)
    gateway_ready = processes.tmp / "gateway.ready"
    gateway_args = ["--master", master.addr, "--listen", "127.0.0.1:0"]
    gateway_proc = processes.spawn(
        "gateway", "gateway", [*gateway_args, "--ready-file", str(gateway_ready)]
    )
    gateway = Gateway(gateway_proc, "http://" + read_ready(gateway_proc, gateway_ready), admin)
    project_b = master.create_project("project-b")
    with gateway.client() as http:
        reply = http.post(f"/token/{project_b}", json={"describe": "project b"})
        assert reply.status_code == 200, reply.text
        token_b = str(reply.json()["data"]["token"])
    return World(master, gateway, base, work_dir, token_file, join, project_b, token_b)


def final(http: httpx.Client, uuid: str, project: int, timeout: float = 60) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        current = task(http, uuid, project)
        return current if current["status"] in FINAL else None

    return wait_until(done, timeout, what=f"task {uuid} final")


def output(world: World, uuid: str, slave: str) -> str:
    with world.client() as admin:
        return str(tasklog(admin, uuid, slave=slave)[slave]["log"])


def run_as_b(world: World, script: str, slave: str, **fields: Any) -> tuple[dict[str, Any], str]:
    """Project B's command, submitted with B's token; its final row and its output."""
    with world.client(world.token_b) as http:
        uuid = submit(http, script, nodes=slave, project=world.project_b, **fields)
        done = final(http, uuid, world.project_b)
    return done, output(world, uuid, slave)


# --- the slave's secrets -----------------------------------------------------------------


@pytest.mark.parametrize(("slave", "user"), [("shared", "jobfleet-b"), ("solo", "")])
def test_a_command_sees_none_of_the_slaves_secrets(world: World, slave: str, user: str) -> None:
    # cat's refusal goes to stdout too: two pipes give no order between them.
    script = 'env; cat "/proc/$PPID/environ" 2>&1; echo; id -un'
    done, seen = run_as_b(world, script, slave, user=user)

    assert done["status"] == "success", seen
    assert "Permission denied" in seen and seen.endswith("jobfleet-b\n"), seen
    assert world.join_token not in seen
    assert world.master.token not in seen
    assert "JOBFLEET_ADMIN_TOKEN" not in seen and "JOBFLEET_JOIN_TOKEN" not in seen


# --- project A's running work ------------------------------------------------------------

ATTACK = r"""
echo "as $(id -un)"
for p in /proc/[0-9]*; do
  [ "$p" = "/proc/$$" ] && continue
  tr '\0' '\n' 2>/dev/null <"$p/environ"
  args=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")
  case "$args" in
    *bash\ {work}/*) echo "found: $args"
      for word in $args; do
        case "$word" in {work}/*)
          cat "$word"; d=$(dirname "$word"); ls -la "$d"; cat "$d"/notes.txt;;
        esac
      done;;
  esac
done
cat "/proc/$PPID/environ" "/proc/$PPID/cmdline" "{token}"
ls -la "{work}"
echo attack-over
"""


def start_a(world: World) -> str:
    """A's long-running script, as A's account, with A's secret in it and in a work file
    beside it; its task uuid once it runs."""
    script = (
        f"SECRET='{SECRET}'\n"
        '{ echo "$SECRET" >"$(dirname "$0")/notes.txt"; } 2>/dev/null\n'
        "echo ready\n"
        "sleep 120 & wait\n"
    )
    with world.client() as admin:
        uuid = submit(admin, script, nodes="shared", user="jobfleet-a", name="a-long")
        wait_until(lambda: output(world, uuid, "shared") == "ready\n", 30, what="A running")
    return uuid


@pytest.mark.parametrize("user", ["jobfleet-b", ""], ids=["as-b", "as-default"])
def test_b_reads_nothing_of_a_running_script_nor_of_the_slave(world: World, user: str) -> None:
    a_task = start_a(world)
    try:
        attack = ATTACK.format(work=world.work_dir, token=world.token_file)
        done, seen = run_as_b(world, attack, "shared", user=user)
    finally:
        with world.client() as admin:
            admin.delete(f"/slave/shared/killtask/{a_task}")

    assert seen.startswith(f"as {user or 'nobody'}\n") and seen.endswith("attack-over\n"), seen
    found = re.search(rf"found: bash ({re.escape(str(world.work_dir))}/exec-\w+-\w+)/", seen)
    assert found, seen  # it knew where A's script was
    for denied in [
        f"ls: cannot open directory '{found[1]}': Permission denied",
        f"cat: {found[1]}/notes.txt: Permission denied",
        f"ls: cannot open directory '{world.work_dir}': Permission denied",
        f"cat: {world.token_file}: Permission denied",
    ]:
        assert denied in seen, seen
    assert SECRET not in seen
    assert world.join_token not in seen and world.master.token not in seen


def test_an_account_the_slave_does_not_list_is_refused_before_anything_runs(
    world: World,
) -> None:
    marker = world.base / "ran-as-root"

    done, seen = run_as_b(world, f"touch {marker}", "shared", user="root")

    assert done["status"] == "fail" and seen == ""
    reason = done["nodes"][0]["reason"]
    assert "shared" in reason and "root" in reason and "jobfleet-b" in reason, reason
    assert not marker.exists()


def test_a_project_the_slave_does_not_serve_is_refused_before_anything_runs(
    world: World,
) -> None:
    """To project 1, `solo` (serving project 2 only) is no machine: the master refuses the
    step before anything is written. (The slave's own refusal, should an order reach it
    anyway, is tests/unit/slave/test_scope.py.)"""
    marker = world.base / "ran-for-project-1"
    body = {"name": "x", "node_cont": "solo", "scripts_cont": f"touch {marker}"}
    with world.client() as admin:
        refused = admin.post("/task/1/plugin_cmd", json=body)

    refusal(refused, 400, "unknown node(s): solo")
    assert not marker.exists()


def test_a_copy_reads_only_what_its_account_may(world: World) -> None:
    a_only = world.base / "a-only.txt"
    a_only.write_text(SECRET)
    a = pwd.getpwnam("jobfleet-a")
    os.chown(a_only, a.pw_uid, a.pw_gid)
    a_only.chmod(0o600)
    drop = world.base / "drop"
    drop.mkdir(mode=0o777, exist_ok=True)
    drop.chmod(0o1777)

    def copy(http: httpx.Client, project: int, user: str, dest: str) -> dict[str, Any]:
        body = {
            "name": "copy",
            **{"src_type": "builtin", "src": "shared", "sp": str(a_only)},
            **{"dst_type": "builtin", "dst": "shared", "dp": str(drop / dest)},
            **{"user": user, "chown": "", "chmod": "", "timeout": "60"},
        }
        reply = http.post(f"/task/{project}/plugin_scp", json=body)
        assert reply.status_code == 200, reply.text
        return final(http, str(reply.json()["uuid"]), project)

    with world.client(world.token_b) as http:
        by_b = copy(http, world.project_b, "jobfleet-b", "by-b.txt")
    with world.client() as admin:
        by_a = copy(admin, 1, "jobfleet-a", "by-a.txt")

    assert by_b["status"] == "fail"
    assert f"permission denied: {a_only}" in str(by_b["nodes"]), by_b["nodes"]
    assert not (drop / "by-b.txt").exists()
    assert by_a["status"] == "success", by_a["nodes"]
    assert (drop / "by-a.txt").read_text() == SECRET
    assert pwd.getpwuid((drop / "by-a.txt").stat().st_uid).pw_name == "jobfleet-a"


# --- starting commands as another account next to gRPC's threads -------------------------


def test_two_hundred_commands_as_another_account_start_without_a_crash(world: World) -> None:
    def one(http: httpx.Client) -> str:
        return submit(http, "id -un", nodes="shared", user="jobfleet-a", name="many")

    outcomes: dict[str, tuple[str, int]] = {}
    with world.client() as admin, ThreadPoolExecutor(8) as pool:
        for _ in range(10):  # in batches, as a busy day would send them
            batch = list(pool.map(lambda _: one(admin), range(20)))
            for uuid in batch:
                row = final(admin, uuid, 1)["nodes"][0]
                outcomes[uuid] = (row["status"], row["exitcode"])

    crashed = {uuid: outcome for uuid, outcome in outcomes.items() if outcome != ("success", 0)}
    assert len(outcomes) == 200 and crashed == {}, f"{len(crashed)} of 200: {crashed}"
    assert output(world, next(iter(outcomes)), "shared") == "jobfleet-a\n"
