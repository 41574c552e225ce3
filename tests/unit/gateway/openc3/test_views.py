"""openc3.views.tasks: task rows with OpenC3's keys, words, times and runtime."""

from __future__ import annotations

import json

from gateway.openc3.views import steps, tasks
from jobfleet.v1 import common_pb2, task_pb2

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
        id=70 + position,
        uuid=f"s{position}",
        position=position,
        status=status,
        pause="ok?",
        node_count=2,
        step=step,
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
    assert row["id"] == 70  # the step's numeric id, bk-job's step_instance_id
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
    assert [(s["id"], s["status"], s["pause"], s["runtime"]) for s in detail["subtasks"]] == [
        (70, "success", "ok?", 0),
        (71, "", "ok?", 0),
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

def test_a_task_with_no_slave_yet_names_the_placeholder_never_nothing() -> None:
    none_yet = common_pb2.Task(uuid="u2", executions=[common_pb2.Execution(node="n1")])
    listed = common_pb2.Task(uuid="u3", slaves=["s2", "s1"])

    assert tasks.task_row(none_yet, now=0)["slave"] == tasks.NO_SLAVE == "master"
    assert tasks.task_row(listed, now=0)["slave"] == "s2,s1"


def test_jobtype_is_openc3s_word() -> None:
    job = common_pb2.Task(uuid="u1", job_type="job", job_uuid="J1")
    copy = common_pb2.Task(uuid="u2", job_type="plugin_scp", job_uuid="S1")

    assert tasks.task_row(job, now=0)["jobtype"] == "jobs"
    assert (tasks.task_row(copy, now=0)["jobtype"], tasks.task_row(copy, now=0)["jobuuid"]) == (
        "plugin_scp",
        "S1",
    )


def test_a_quick_submit_answers_where_its_step_log_is() -> None:
    task = make_task(finished=False)
    task.uuid = "Tk3aZ9q0LmN2"
    task.subtasks.append(make_subtask(0, common_pb2.SUBTASK_STATUS_RUNNING))
    task.subtasks[0].uuid = "Sx8bQ1w2E3r4"

    assert tasks.quick_task_status(task) == {
        "uuid": "Tk3aZ9q0LmN2",
        "status": "running",
        "slave": "s1,s2",
        "loguuid": "Tk3aZ9q0LmN2Sx8bQ1w2E3r4cmd",
    }


def test_counts_add_up_statuses_that_share_a_word() -> None:
    counts = [
        task_pb2.TaskStatusCount(status=common_pb2.TASK_STATUS_KILLED, count=2),
        task_pb2.TaskStatusCount(status=common_pb2.TASK_STATUS_FAIL, count=3),
        task_pb2.TaskStatusCount(status=common_pb2.TASK_STATUS_DECISION, count=1),
        task_pb2.TaskStatusCount(status=common_pb2.TASK_STATUS_WAITING, count=1),
    ]

    assert tasks.status_counts(counts, ("success", "fail", "running")) == {
        "success": 0,
        "fail": 5,
        "running": 0,
        "waiting": 2,
    }
