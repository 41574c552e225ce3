"""openc3.views.tasks: task rows with OpenC3's keys, words, times and runtime."""

from __future__ import annotations

import json

from gateway.openc3.views import steps, tasks
from jobfleet.v1 import common_pb2

START = 1704164645  # 2024-01-02 03:04:05 UTC

ROW_KEYS = (
    "id uuid name user slave status starttime finishtime calltype jobtype jobuuid runtime mutex"
    " reason variable"
).split()


def make_task(finished: bool = True) -> common_pb2.Task:
    task = common_pb2.Task(
        id=7,
        uuid="u1",
        project_id=1,
        name="deploy",
        submitter="ops",
        status=common_pb2.TASK_STATUS_SUCCESS if finished else common_pb2.TASK_STATUS_RUNNING,
        call_type="api",
        job_type="plugin_cmd",
        variables={"b": "2", "a": "中"},
    )
    task.started_at.seconds = START
    if finished:
        task.finished_at.seconds = START + 90
    first = task.executions.add(id=1, node="n1", slave="s1", exit_code=0, log_bytes=3)
    first.status = common_pb2.EXECUTION_STATUS_SUCCESS
    first.started_at.seconds = START
    task.executions.add(id=2, node="n2", slave="s2", status=common_pb2.EXECUTION_STATUS_LOST)
    task.executions.add(id=3, node="n3", slave="s1", status=common_pb2.EXECUTION_STATUS_TIMEOUT)
    return task


def test_task_row_has_exactly_the_documented_keys() -> None:
    row = tasks.task_row(make_task(), now=0)

    assert list(row) == ROW_KEYS
    assert row["user"] == "ops"
    assert row["status"] == "success"
    assert row["slave"] == "s1,s2"
    assert row["starttime"] == "2024-01-02 03:04:05"
    assert row["finishtime"] == "2024-01-02 03:05:35"
    assert row["runtime"] == 90
    assert json.loads(row["variable"]) == {"a": "中", "b": "2"}


def test_runtime_runs_to_now_while_unfinished_and_is_zero_before_start() -> None:
    running = make_task(finished=False)
    not_started = common_pb2.Task(uuid="u2")

    assert tasks.task_row(running, now=START + 12.7)["runtime"] == 12
    assert tasks.task_row(running, now=START)["finishtime"] == ""
    assert tasks.task_row(not_started, now=START)["runtime"] == 0
    assert tasks.task_row(not_started, now=START)["starttime"] == ""
    assert tasks.task_row(not_started, now=START)["status"] == "unknown"


def test_task_detail_adds_one_node_row_per_execution() -> None:
    nodes = tasks.task_detail(make_task(), now=0)["nodes"]

    assert [n["status"] for n in nodes] == ["success", "lost", "timeout"]
    assert nodes[0] == {
        "node": "n1",
        "slave": "s1",
        "status": "success",
        "exitcode": 0,
        "reason": "",
        "starttime": "2024-01-02 03:04:05",
        "finishtime": "",
        "logbytes": 3,
        "logdropped": 0,
    }


def make_subtask(
    position: int, status: common_pb2.SubtaskStatus, started: bool = True
) -> common_pb2.Subtask:
    step = common_pb2.Step(uuid=f"s{position}", name="build", pause="ok?")
    step.cmd.CopyFrom(common_pb2.CmdStep(user="app", script="make", timeout_seconds=0))
    step.cmd.nodes.type = common_pb2.NODE_SELECTOR_TYPE_BUILTIN
    step.cmd.nodes.content = "n1,n2"
    subtask = common_pb2.Subtask(
        uuid=f"s{position}", position=position, status=status, pause="ok?", node_count=2, step=step
    )
    if started:
        subtask.started_at.seconds = START
    return subtask


SUBTASK_KEYS = (
    "id subtask_type uuid nodecount starttime finishtime runtime status pause extended".split()
)


def test_subtask_row_has_the_documented_keys_and_the_step_as_extended() -> None:
    row = tasks.subtask_row(make_subtask(0, common_pb2.SUBTASK_STATUS_DECISION), now=START + 5)

    assert list(row) == SUBTASK_KEYS
    assert row["id"] == 1
    assert row["subtask_type"] == "cmd"
    assert row["status"] == "decision"
    assert row["runtime"] == 5
    assert row["extended"] == {
        "name": "build",
        "user": "app",
        "node_type": "builtin",
        "node_cont": "n1,n2",
        "scripts_type": "unknown",
        "scripts_cont": "make",
        "scripts_argv": "",
        "timeout": 60,
        "pause": "ok?",
    }


def test_task_detail_lists_subtasks_in_order_and_waiting_is_a_word() -> None:
    task = make_task()
    task.status = common_pb2.TASK_STATUS_WAITING
    task.subtasks.extend(
        [
            make_subtask(0, common_pb2.SUBTASK_STATUS_SUCCESS),
            make_subtask(1, common_pb2.SUBTASK_STATUS_INIT, started=False),
        ]
    )

    detail = tasks.task_detail(task, now=0)

    assert detail["status"] == "waiting"
    assert [(s["id"], s["status"], s["runtime"]) for s in detail["subtasks"]] == [
        (1, "success", 0),
        (2, "init", 0),
    ]
    assert tasks.task_status(task) == {"uuid": "u1", "status": "waiting"}


def test_a_step_citing_a_stored_script_shows_as_sent() -> None:
    cmd = common_pb2.CmdStep(
        nodes=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content="n1"),
        script_type=common_pb2.SCRIPT_TYPE_SHELL,
        script_id=42,
    )

    row = steps.step_hash(common_pb2.Step(uuid="s1", name="cited", cmd=cmd))

    assert (row["scripts_type"], row["scripts_cont"]) == ("cite", "42")
