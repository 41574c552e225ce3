"""What one project may ask of the master, tried as the attacks they stop: a variable that
multiplies into a huge script, a flood of tasks and crontabs, names that forge log lines, a
flood of bad tokens. Each time the other project's work goes on as usual."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import httpx

from jobfleet.v1 import auth_pb2, auth_pb2_grpc, common_pb2, task_pb2, task_pb2_grpc
from tests.integration import crontabs, snapshot
from tests.integration.conftest import Cluster, Gateway, Master, Proc
from tests.integration.jobs import cmd, create_job
from tests.integration.rest import submit, true_status, wait_final
from tests.integration.test_auth import new_token, refused
from tests.waiting import wait_until

CAP = 1 << 20  # --max-script-bytes, the default
MiB = 1 << 20


def db_url(master: Master) -> str:
    return master.args[master.args.index("--db") + 1]


def peak_rss(proc: Proc) -> int:
    """The process's peak resident memory so far, in bytes (VmHWM)."""
    status = Path(f"/proc/{proc.popen.pid}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def test_a_variable_multiplied_past_the_cap_is_refused_before_anything_is_written(
    cluster: Cluster,
) -> None:
    master, http = cluster.master, cluster.http
    poison = "x" * 440_000
    job = create_job(http, "poison", [cmd("p", "echo ${x}" * 1250)])  # 550 MB once rendered
    before, rss_before = snapshot.take(db_url(master), master.data_dir), peak_rss(master.proc)

    body: dict[str, object] = {
        "name": "p",
        "node_type": "builtin",
        "node_cont": "s1",
        "scripts_type": "shell",
    }
    body |= {"scripts_cont": "echo ${x}" * 100, "variable": {"x": poison}}  # 44 MB
    command = http.post("/task/1/plugin_cmd", json=body)
    dry = {"project_id": 1, "params": {"jobname": "poison", "variable": {"x": poison}}}
    dry_run = http.post("/third/interface/dry-run", json=dry)
    job_run = http.post("/task/1/job", json={"jobuuid": job, "variable": {"x": poison}})
    grown = peak_rss(master.proc) - rss_before
    print(f"master peak RSS grew by {grown / MiB:.1f} MiB")

    assert refused(command, 413).startswith(f"scripts_cont: more than {CAP} bytes")
    assert refused(dry_run, 413).startswith(f"data[0].scripts_cont: more than {CAP} bytes")
    assert refused(job_run, 413).startswith("data[0].scripts_cont: ")
    assert grown < 64 * MiB
    assert snapshot.take(db_url(master), master.data_dir) == before  # no task, nothing sent
    assert wait_final(http, submit(http, "echo still fine"))["status"] == "success"


def test_a_crontab_fire_past_the_cap_is_recorded_as_not_started(cluster: Cluster) -> None:
    http = cluster.http
    job = create_job(http, "cron-poison", [cmd("p", "echo ${x}" * 30)])
    body = {"jobuuid": job, "name": "x", "value": "y" * 40_000}  # 1.2 MB once rendered
    assert true_status(http.post("/variable/1", json=body)) == 200
    crontab = crontabs.create(http, "every second", job)

    fires = crontabs.wait_fires(http, crontab, 1, outcome="failed")
    crontabs.set_status(http, crontab, "unavailable")

    assert not crontabs.started(http, crontab)
    assert "steps[0].script" in fires[0]["reason"] and f"more than {CAP}" in fires[0]["reason"]
    assert http.get("/task/1").json()["total"] == 0


def test_a_name_cannot_forge_a_master_log_line(cluster: Cluster) -> None:
    master = cluster.master
    forged = "deploy\n2031-01-01 00:00:00,000 ERROR master.engine: forged\x1b[31m red"
    ask = task_pb2.SubmitCommandRequest(
        project_id=1, name=forged, nodes=["s1"], script="true", submitter="ci\r\nroot"
    )
    ask.script_type = common_pb2.SCRIPT_TYPE_SHELL
    with master.channel() as channel:
        uuid = task_pb2_grpc.TaskServiceStub(channel).SubmitCommand(ask, timeout=10).task.uuid
    wait_final(cluster.http, uuid)

    log = master.proc.log.read_text()
    [line] = [x for x in log.splitlines() if f"task {uuid} (" in x]

    assert "deploy\\n2031-01-01 00:00:00,000 ERROR master.engine: forged\\x1b[31m red" in line
    assert "by ci\\r\\nroot" in line
    assert "\x1b" not in log and "\r" not in log
    assert not any(x.startswith("2031-01-01") for x in log.splitlines())


# --- quotas per project


def quota_world(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> tuple[Master, Gateway, int, str]:
    """A master with small quotas, a slave, a gateway; project B and a token of it."""
    quotas = ["--max-running-tasks", "4", "--max-submissions-per-second", "1"]
    master = start_master(*quotas, "--max-crontabs", "2")
    start_slave(master, "s1")
    gateway = start_gateway(master)
    b = master.create_project()
    with gateway.client() as admin:
        return master, gateway, b, str(new_token(admin, b)["token"])


def flood(http: httpx.Client, project: int, count: int) -> list[httpx.Response]:
    body = {"name": "flood", "node_type": "builtin", "node_cont": "s1"}
    body |= {"scripts_type": "shell", "scripts_cont": "sleep 60"}
    return [http.post(f"/task/{project}/plugin_cmd", json=body) for _ in range(count)]


def test_one_projects_flood_is_refused_at_its_quotas_and_the_other_goes_on(
    start_master: Callable[..., Master],
    start_slave: Callable[..., Proc],
    start_gateway: Callable[..., Gateway],
) -> None:
    master, gateway, b, token = quota_world(start_master, start_slave, start_gateway)
    with gateway.client(token=token) as attacker, gateway.client() as a:
        job = create_job(a, "sleeper", [cmd("s", "sleep 60")], project=b)
        cron = {"name": "yearly", "jobuuid": job, "cron": "0 0 1 1 *"}
        assert true_status(attacker.post(f"/crontab/{b}", json=cron)) == 200

        replies = flood(attacker, b, 30)
        every_second = {"name": "every second", "jobuuid": job, "cron": crontabs.EVERY_SECOND}
        reply = attacker.post(f"/crontab/{b}", json=every_second)
        assert reply.status_code == 200, reply.text
        crontab = int(reply.json()["data"]["id"])
        start = attacker.post(f"/crontab/{b}/{crontab}/status", json={"status": "available"})
        assert start.status_code == 200, start.text
        cron_made = time.monotonic()
        one_more = attacker.post(f"/crontab/{b}", json={**cron, "name": "one more"})
        started = time.monotonic()
        mine = submit(a, "true")
        assert wait_final(a, mine)["status"] == "success"
        a_took = time.monotonic() - started

        fires = wait_until(lambda: failed_fires(a, b, crontab, 2), 20, what="refused fires")
        cron_ran = time.monotonic() - cron_made
        attacker.post(f"/crontab/{b}/{crontab}/status", json={"status": "unavailable"})
        for r in replies:  # not left to teardown
            if true_status(r) == 200:
                a.delete(f"/slave/s1/killtask/{r.json()['uuid']}")

    accepted = [r for r in replies if true_status(r) == 200]
    print(f"project A's `true` took {a_took:.2f} s during project B's flood")
    infos = {str(r.json()["info"]) for r in replies if true_status(r) == 429}
    assert len(accepted) == 4 and len(replies) - len(accepted) == 26
    assert any("--max-running-tasks" in i for i in infos), infos
    assert any("--max-submissions-per-second" in i for i in infos), infos
    assert "--max-crontabs" in refused(one_more, 429)
    assert all(f["reason"].startswith("over quota: project") for f in fires), fires
    assert len({f["time"] for f in fires}) == len(fires) <= cron_ran + 2  # no retry loop
    assert a_took < 15, f"project A's `true` took {a_took:.1f} s"
    assert master.proc.popen.poll() is None


def failed_fires(
    http: httpx.Client, project: int, crontab: int, count: int
) -> list[dict[str, Any]] | None:
    row = http.get(f"/crontab/{project}/{crontab}", params={"fires": 100}).json()["data"]
    failed = [f for f in row["fires"] if f["outcome"] == "failed"]
    return failed if len(failed) >= count and len(row["fires"]) == len(failed) else None


# --- a flood of bad tokens


FLOOD_SECONDS = 8.0
IN_FLIGHT = 200


class BadTokenFlood:
    """Calls with bad tokens (one repeated, and fresh random ones), IN_FLIGHT at a time, until
    stopped or FLOOD_SECONDS pass."""

    def __init__(self, addr: str) -> None:
        self.channel = grpc.insecure_channel(addr)
        self.stub = task_pb2_grpc.TaskServiceStub(self.channel)
        self.codes: dict[str, int] = {}
        self.sent = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(IN_FLIGHT)

    def _run(self) -> None:
        deadline = time.monotonic() + FLOOD_SECONDS
        while not self.stop.is_set() and time.monotonic() < deadline:
            self._slots.acquire()
            token = "b" * 32 if self.sent % 2 else secrets.token_hex(16)
            call = self.stub.ListTasks.future(
                task_pb2.ListTasksRequest(project_id=1),
                metadata=(("authorization", f"Token {token}"),),
                timeout=60,
            )
            call.add_done_callback(self._done)
            self.sent += 1
        for _ in range(IN_FLIGHT):  # the last calls answered
            self._slots.acquire(timeout=60)

    def _done(self, call: grpc.Future) -> None:
        error = call.exception()
        code = error.code().name if isinstance(error, grpc.RpcError) else "OK"
        with self._lock:
            self.codes[code] = self.codes.get(code, 0) + 1
        self._slots.release()


def test_a_flood_of_bad_tokens_does_not_slow_a_valid_token(
    start_master: Callable[..., Master],
) -> None:
    master = start_master()
    with master.channel() as channel:
        made = auth_pb2_grpc.TokenServiceStub(channel).CreateToken(
            auth_pb2.CreateTokenRequest(project_id=1), timeout=10
        )
    attack = BadTokenFlood(master.addr)
    latencies = []
    with master.channel(token=made.secret) as channel:
        stub = task_pb2_grpc.TaskServiceStub(channel)
        stub.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=10)  # seen valid
        attack.thread.start()
        started = time.monotonic()
        while attack.thread.is_alive() and time.monotonic() - started < FLOOD_SECONDS:
            began = time.monotonic()
            stub.ListTasks(task_pb2.ListTasksRequest(project_id=1), timeout=30)
            latencies.append(time.monotonic() - began)
            time.sleep(0.05)
    attack.stop.set()
    attack.thread.join(60)
    attack.channel.close()
    elapsed = time.monotonic() - started

    lookups = master.proc.log.read_text().count("ListTasks: unknown token")
    print(
        f"bad-token flood: {attack.sent} calls in {elapsed:.1f} s, {attack.codes}; valid calls: "
        f"{len(latencies)}, max {max(latencies) * 1000:.0f} ms, median "
        f"{sorted(latencies)[len(latencies) // 2] * 1000:.0f} ms; token lookups {lookups}"
    )
    assert attack.sent >= 2000 and set(attack.codes) <= {"UNAUTHENTICATED", "RESOURCE_EXHAUSTED"}
    assert len(latencies) >= 10 and max(latencies) < 2.0, sorted(latencies)[-5:]
    assert lookups <= 200 + 50 * (elapsed + 2), (lookups, attack.sent)  # a budget, not per call
