"""The `jobfleet` command against one master and two slaves (s1, s2) shared by the module: exit
codes, listings as JSON, following, killing and deciding tasks, jobs with variables, node
groups, the config file, the progress line on a terminal, completion scripts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from jobfleet.v1 import (
    catalog_pb2,
    catalog_pb2_grpc,
    common_pb2,
    crontab_pb2,
    crontab_pb2_grpc,
    task_pb2,
    task_pb2_grpc,
)
from tests.cli.cli import JOBFLEET, clean_env, jobfleet, task_uuid
from tests.integration.conftest import Master, Services
from tests.integration.ptys import ANSI, PtyProcess
from tests.waiting import wait_until


@dataclass
class Fleet:
    master: Master
    home: Path
    env: dict[str, str]
    """The master's address and the admin token in JOBFLEET_MASTER / JOBFLEET_TOKEN."""

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return jobfleet({**self.env, **extra}, *args)

    def submit(self, script: str, nodes: tuple[str, ...] = ("s1",)) -> str:
        ask = task_pb2.SubmitCommandRequest(
            project_id=1,
            name="by the test",
            nodes=list(nodes),
            script_type=common_pb2.SCRIPT_TYPE_SHELL,
            script=script,
        )
        with self.master.channel() as channel:
            stub = task_pb2_grpc.TaskServiceStub(channel)
            return str(stub.SubmitCommand(ask, timeout=30).task.uuid)

    def wait_status(self, uuid: str, status: int, timeout: float = 30) -> None:
        with self.master.channel() as channel:
            stub = task_pb2_grpc.TaskServiceStub(channel)

            def reached() -> bool:
                ask = task_pb2.GetTaskRequest(uuid=uuid)
                return bool(stub.GetTask(ask, timeout=10).task.status == status)

            wait_until(reached, timeout, what=f"task {uuid} {status}")


def cmd_step(name: str, script: str, pause: str = "") -> common_pb2.Step:
    return common_pb2.Step(
        name=name,
        pause=pause,
        cmd=common_pb2.CmdStep(
            nodes=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content="s1"),
            script_type=common_pb2.SCRIPT_TYPE_SHELL,
            script=script,
        ),
    )


@pytest.fixture(scope="module")
def fleet(module_services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    module_services.start_slave(master, "s2")
    with master.channel() as channel:
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        catalog.CreateNodeGroup(
            catalog_pb2.CreateNodeGroupRequest(
                project_id=1, name="pair", plugin="list", params="s1,s2"
            ),
            timeout=10,
        )
        for name, steps in {
            "greet": [cmd_step("hello", "echo hello ${who}")],
            "flaky": [cmd_step("breaks", "exit 4"), cmd_step("after", "echo went on")],
            "paused": [cmd_step("look", "echo look", pause="check"), cmd_step("on", "echo on")],
        }.items():
            catalog.CreateJob(
                catalog_pb2.CreateJobRequest(project_id=1, name=name, steps=steps), timeout=10
            )
        flaky = catalog.GetJob(catalog_pb2.GetJobRequest(project_id=1, name="flaky"), timeout=10)
        crontab_pb2_grpc.CrontabServiceStub(channel).CreateCrontab(
            crontab_pb2.CreateCrontabRequest(
                project_id=1,
                name="new-year",
                job_uuid=flaky.job.uuid,
                cron="0 0 1 1 *",
                time_zone="UTC",
            ),
            timeout=10,
        )
    home = tmp_path_factory.mktemp("home")
    env = clean_env(home, JOBFLEET_MASTER=master.addr, JOBFLEET_TOKEN=master.token)
    yield Fleet(master, home, env)


def test_run_exits_with_the_outcome_and_prints_plain_lines_when_piped(fleet: Fleet) -> None:
    ok = fleet.run("run", "--nodes", "@pair", "echo hi")
    failed = fleet.run("run", "--nodes", "s1,s2", "echo bad; echo worse >&2; exit 3")

    assert ok.returncode == 0, ok.stderr
    assert {"[s1] hi", "[s2] hi"} <= set(ok.stdout.splitlines())
    assert "[s1] -- success, exit code 0" in ok.stdout
    assert failed.returncode == 1, failed.stderr
    assert "[s2] bad" in failed.stdout and "[s2] -- fail, exit code 3" in failed.stdout.splitlines()
    # What the command wrote to its stderr is on ours, still prefixed.
    assert "[s2] worse" in failed.stderr.splitlines() and "worse" not in failed.stdout
    assert f"task {task_uuid(failed.stderr)}: fail" in failed.stderr
    for result in (ok, failed):
        assert "\r" not in result.stdout + result.stderr
        assert "\x1b" not in result.stdout + result.stderr


def test_bad_input_exits_2_naming_the_flag_and_runs_nothing(fleet: Fleet) -> None:
    before = json.loads(fleet.run("tasks", "--json", "--limit", "500").stdout)
    cases = {
        "--nodes": fleet.run("run", "--nodes", "@nosuch", "echo never"),
        "--timeout": fleet.run("run", "--nodes", "s1", "--timeout", "soon", "echo never"),
        "--status": fleet.run("tasks", "--status", "finished"),
        "--since": fleet.run("tasks", "--since", "yesterday"),
        "--var": fleet.run("submit", "greet", "--var", "who"),
        "--master": fleet.run("slaves", "--master", "no-port"),
    }
    unknown = fleet.run("show", "nosuchtask00")

    for flag, result in cases.items():
        assert result.returncode == 2, (flag, result.stderr)
        assert flag in result.stderr, (flag, result.stderr)
        assert "Traceback" not in result.stderr
    assert unknown.returncode == 2 and unknown.stderr.startswith("jobfleet show: ")
    after = json.loads(fleet.run("tasks", "--json", "--limit", "500").stdout)
    assert len(after) == len(before)


def test_every_listing_prints_json_holding_what_was_created(fleet: Fleet) -> None:
    ran = fleet.run("run", "--nodes", "s2", "echo listed")
    uuid = task_uuid(ran.stderr)

    tasks = json.loads(fleet.run("tasks", "--json").stdout)
    succeeded = json.loads(fleet.run("tasks", "--json", "--status", "success").stdout)
    failed = json.loads(fleet.run("tasks", "--json", "--status", "fail,killed").stdout)
    since = json.loads(fleet.run("tasks", "--json", "--since", "1h").stdout)
    until = json.loads(fleet.run("tasks", "--json", "--until", "2001-01-01T00:00").stdout)
    shown = json.loads(fleet.run("show", uuid, "--json").stdout)
    jobs = json.loads(fleet.run("jobs", "--json").stdout)
    job = json.loads(fleet.run("jobs", "show", "flaky", "--json").stdout)
    crontabs = json.loads(fleet.run("crontabs", "--json").stdout)
    slaves = json.loads(fleet.run("slaves", "--json").stdout)
    followed = [
        json.loads(line)
        for line in fleet.run("run", "--json", "--nodes", "s1", "echo a").stdout.splitlines()
    ]

    assert uuid in [t["uuid"] for t in tasks]
    assert uuid in [t["uuid"] for t in succeeded] and uuid in [t["uuid"] for t in since]
    assert uuid not in [t["uuid"] for t in failed] and until == []
    assert shown["status"] == "TASK_STATUS_SUCCESS" and shown["executions"][0]["node"] == "s2"
    assert {"greet", "flaky"} <= {j["name"] for j in jobs}
    assert [s["name"] for s in job["steps"]] == ["breaks", "after"]
    assert [(c["name"], c["cron"]) for c in crontabs] == [("new-year", "0 0 1 1 *")]
    assert crontabs[0]["next_fire_time"].endswith("-01-01T00:00:00Z")
    assert {(s["name"], s["attached"]) for s in slaves} == {("s1", True), ("s2", True)}
    assert followed[0] == {"node": "s1", "stream": "stdout", "line": "a"}
    assert followed[1]["execution"]["status"] == "EXECUTION_STATUS_SUCCESS"
    assert followed[-1]["task"]["status"] == "TASK_STATUS_SUCCESS"


def test_tokens_are_created_listed_used_and_deleted(fleet: Fleet) -> None:
    made = json.loads(fleet.run("tokens", "create", "--describe", "ci", "--json").stdout)
    listed = json.loads(fleet.run("tokens", "--json").stdout)
    used = fleet.run("jobs", "--json", JOBFLEET_TOKEN=made["secret"])
    deleted = fleet.run("tokens", "delete", str(made["token"]))
    after = json.loads(fleet.run("tokens", "--json").stdout)
    refused = fleet.run("jobs", "--json", JOBFLEET_TOKEN=made["secret"])

    assert {"id": str(made["token"]), "describe": "ci"}.items() <= next(
        t for t in listed if t["id"] == str(made["token"])
    ).items()
    assert used.returncode == 0, used.stderr
    assert deleted.returncode == 0, deleted.stderr
    assert str(made["token"]) not in [t["id"] for t in after]
    assert refused.returncode == 2 and refused.stderr.startswith("jobfleet jobs: ")


def test_tail_follows_a_running_task_until_it_ends(fleet: Fleet, tmp_path: Path) -> None:
    flag = tmp_path / "go-on"
    uuid = fleet.submit(f"echo before; while [ ! -e {flag} ]; do sleep 0.05; done; echo after")
    lines: list[str] = []
    with subprocess.Popen(
        [JOBFLEET, "tail", uuid],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        env=fleet.env,
    ) as tail:
        reader = threading.Thread(target=lambda: lines.extend(tail.stdout or ()), daemon=True)
        reader.start()
        try:
            wait_until(lambda: "[s1] before\n" in lines, 30, what="the output so far")
            assert tail.poll() is None  # still following
            flag.touch()
            code = tail.wait(30)
        finally:
            tail.kill()
            reader.join(5)

    assert code == 0
    assert lines[:3] == ["[s1] before\n", "[s1] after\n", "[s1] -- success, exit code 0\n"]


def test_kill_ends_a_running_task(fleet: Fleet) -> None:
    uuid = fleet.submit("echo started; sleep 60", nodes=("s1", "s2"))
    fleet.wait_status(uuid, common_pb2.TASK_STATUS_RUNNING)

    killed = fleet.run("kill", uuid, "--reason", "enough")
    fleet.wait_status(uuid, common_pb2.TASK_STATUS_KILLED)
    shown = fleet.run("show", uuid)
    tailed = fleet.run("tail", uuid)

    assert killed.returncode == 0, killed.stderr
    assert re.search(r"^status\s+killed", shown.stdout, re.M), shown.stdout
    assert re.search(r"s1\s+killed", shown.stdout), shown.stdout
    assert tailed.returncode == 3 and f"task {uuid}: killed" in tailed.stderr


def test_decide_moves_a_task_on_past_its_failed_step(fleet: Fleet) -> None:
    submitted = fleet.run("submit", "flaky", "--json")
    uuid = json.loads(submitted.stdout)["uuid"]
    fleet.wait_status(uuid, common_pb2.TASK_STATUS_DECISION)

    decided = fleet.run("decide", uuid, "ignore")
    fleet.wait_status(uuid, common_pb2.TASK_STATUS_SUCCESS)
    again = fleet.run("decide", uuid, "next")
    shown = fleet.run("show", uuid)

    assert decided.returncode == 0, decided.stderr
    assert re.search(r"step 1 breaks: ignore", shown.stdout), shown.stdout
    assert re.search(r"step 2 after: success", shown.stdout), shown.stdout
    assert again.returncode == 2 and "waits for no decision" in again.stderr


def test_decide_next_goes_on_past_a_pause(fleet: Fleet) -> None:
    uuid = json.loads(fleet.run("submit", "paused", "--json").stdout)["uuid"]
    fleet.wait_status(uuid, common_pb2.TASK_STATUS_WAITING)

    decided = fleet.run("decide", uuid, "next")
    tailed = fleet.run("tail", uuid)

    assert decided.returncode == 0, decided.stderr
    assert tailed.returncode == 0, tailed.stderr
    assert {"[s1] look", "[s1] on"} <= set(tailed.stdout.splitlines())


def test_ctrl_c_stops_following_and_leaves_the_task_running(fleet: Fleet) -> None:
    term = PtyProcess([JOBFLEET, "run", "--nodes", "s1", "echo up; sleep 60"], env=fleet.env)
    try:
        term.expect(r"\[s1\] up")
        term.type("\x03")
        code = term.wait()
    finally:
        term.close()
    uuid = re.findall(r"jobfleet kill (\w+)", term.screen)
    running = fleet.run("show", uuid[0], "--json") if uuid else None
    if uuid:
        fleet.run("kill", uuid[0])

    assert code == 130
    assert running is not None and json.loads(running.stdout)["status"] == "TASK_STATUS_RUNNING"


def test_submit_runs_a_job_with_its_variables_and_refuses_a_missing_one(fleet: Fleet) -> None:
    missing = fleet.run("submit", "greet", "--follow")
    ran = fleet.run("submit", "greet", "--var", "who=world", "--follow", "--nodes", "@pair")

    assert missing.returncode == 2
    assert missing.stderr.startswith("jobfleet submit: ") and "who" in missing.stderr
    assert ran.returncode == 0, ran.stderr
    assert {"[s1] hello world", "[s2] hello world"} <= set(ran.stdout.splitlines())


def test_the_config_file_is_read_and_one_with_a_token_others_can_read_is_refused(
    fleet: Fleet, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    config = home / ".config" / "jobfleet" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'master = "{fleet.master.addr}"\ntoken = "{fleet.master.token}"\n')
    config.chmod(0o600)
    env = clean_env(home)
    other = tmp_path / "other.toml"
    other.write_text('master = "127.0.0.1:1"\n')

    from_file = jobfleet(env, "slaves", "--json")
    flag_wins = jobfleet(env, "slaves", "--config", str(other))
    env_wins = jobfleet({**env, "JOBFLEET_MASTER": "127.0.0.1:1"}, "slaves")
    config.chmod(0o644)
    readable = jobfleet(env, "slaves")

    assert from_file.returncode == 0, from_file.stderr
    assert {s["name"] for s in json.loads(from_file.stdout)} == {"s1", "s2"}
    assert flag_wins.returncode == 2 and env_wins.returncode == 2  # nothing listens at :1
    assert readable.returncode == 2
    assert "others may read it" in readable.stderr and "chmod 600" in readable.stderr
    assert readable.stdout == ""


def visible_lines(raw: bytes) -> list[str]:
    """What a terminal shows of each line: the text after its last carriage return (the pty
    ends lines with CR LF)."""
    text = ANSI.sub(b"", raw).decode("utf-8", "replace").replace("\r\n", "\n")
    return [line.rsplit("\r", 1)[-1] for line in text.split("\n")]


def test_progress_and_colour_show_on_a_terminal_only(fleet: Fleet) -> None:
    command = [JOBFLEET, "run", "--nodes", "s1,s2", "echo one; sleep 1.2; echo two"]
    term = PtyProcess(command, env=fleet.env)
    try:
        term.expect(r"task \w+: success")
        code = term.wait()
    finally:
        term.close()
    plain = PtyProcess(command[:-1] + ["echo plain"], env={**fleet.env, "NO_COLOR": "1"})
    try:
        plain.expect(r"task \w+: success")
    finally:
        plain.close()

    shown = visible_lines(term.raw)
    assert code == 0
    assert re.search(rb"\d done, \d failed, \d running of 2, \d+s", term.raw), term.raw
    assert b"\r\x1b[K" in term.raw
    assert {"[s1] one", "[s2] one", "[s1] two", "[s2] two"} <= set(shown)
    assert not [line for line in shown if "running of" in line and "[s" in line]
    assert re.search(rb"\x1b\[\d+m\[s1\]", term.raw)  # the node's prefix in colour
    assert b"[s1] plain" in plain.raw and not re.search(rb"\x1b\[\d+m\[s", plain.raw)


def test_completion_scripts_for_bash_and_zsh(fleet: Fleet, tmp_path: Path) -> None:
    bash = fleet.run("completion", "bash")
    zsh = fleet.run("completion", "zsh")
    script = tmp_path / "jobfleet.bash"
    script.write_text(bash.stdout)

    assert bash.returncode == 0 and zsh.returncode == 0
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    assert "decide" in bash.stdout and "--token-file" in bash.stdout
    assert zsh.stdout.startswith("#compdef jobfleet") and "tail" in zsh.stdout
    if shutil.which("zsh"):
        assert subprocess.run(["zsh", "-n", "-c", zsh.stdout]).returncode == 0
    assert os.access(JOBFLEET, os.X_OK)
