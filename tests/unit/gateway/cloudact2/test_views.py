"""cloudact2.views: a task as JobRecordInfo, an execution as a JobRecordResult row, in
cloud-act2's words and time format."""

from __future__ import annotations

import json

from gateway.cloudact2.views import records, results
from jobfleet.v1 import common_pb2

START = 1704164645  # 2024-01-02 03:04:05 UTC


def cmd_step(name: str, script: str, timeout: int = 0) -> common_pb2.Step:
    nodes = common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content="n1")
    cmd = common_pb2.CmdStep(
        nodes=nodes,
        script_type=common_pb2.SCRIPT_TYPE_SHELL,
        script=script,
        args="-v",
        user="deploy",
        timeout_seconds=timeout,
    )
    return common_pb2.Step(name=name, cmd=cmd)


def make_task(status: common_pb2.TaskStatus = common_pb2.TASK_STATUS_SUCCESS) -> common_pb2.Task:
    task = common_pb2.Task(
        uuid="T1", project_id=1, status=status, submitter="ops", variables={"v": "1"}
    )
    task.created_at.seconds = START - 5
    task.subtasks.add(uuid="S1", id=41, position=0, nodes=["n1", "n2"], step=cmd_step("a", "ls"))
    run = task.executions.add(id=1, node="n1", subtask_uuid="S1", attempt=1, reason="")
    run.status = common_pb2.EXECUTION_STATUS_SUCCESS
    run.started_at.seconds = START
    run.finished_at.seconds = START + 2
    waiting = task.executions.add(id=2, node="n2", ip="10.0.0.2", cloud_id=3, subtask_uuid="S1")
    (waiting.status, waiting.attempt) = (common_pb2.EXECUTION_STATUS_PENDING, 1)
    return task


def test_a_one_step_task_maps_field_for_field() -> None:
    task = make_task()
    task.started_at.seconds = START
    task.finished_at.seconds = START + 9

    info = records.record_info(task)

    assert info["id"] == "T1"
    assert (info["execute_status"], info["result_status"]) == ("done", "success")
    assert (info["module_name"], info["script"], info["script_type"]) == ("script", "ls", "shell")
    assert (info["timeout"], info["callback"], info["provider"]) == (60, "", "jobfleet")
    assert json.loads(info["hosts"]) == ["n1", "n2"]
    assert (info["start_time"], info["end_time"]) == (
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:14Z",
    )
    assert json.loads(info["parameters"]) == {
        "pattern": "script",
        "script": "ls",
        "scriptType": "shell",
        "params": {"args": "-v"},
        "runas": "deploy",
        "timeout": 60,
        "env": {"v": "1"},
    }
    assert (info["executeStatus"], info["resultStatus"], info["user"]) == ("done", "success", "ops")


def test_a_record_not_done_has_no_result_and_ends_when_it_starts() -> None:
    """As cloud-act2 writes a record that is not done (its Go client reads the time)."""
    for status, word in [
        (common_pb2.TASK_STATUS_INIT, "init"),
        (common_pb2.TASK_STATUS_RUNNING, "doing"),
        (common_pb2.TASK_STATUS_DECISION, "doing"),
        (common_pb2.TASK_STATUS_WAITING, "doing"),
    ]:
        info = records.record_info(make_task(status))

        assert (info["execute_status"], info["result_status"]) == (word, "")
        assert info["start_time"] == info["end_time"] == "2024-01-02T03:04:00Z"  # made, not run


def test_how_a_record_ended() -> None:
    killed = make_task(common_pb2.TASK_STATUS_KILLED)
    failed = make_task(common_pb2.TASK_STATUS_FAIL)
    timed_out = make_task(common_pb2.TASK_STATUS_FAIL)
    timed_out.executions[1].status = common_pb2.EXECUTION_STATUS_TIMEOUT

    assert records.result_status(killed) == "cancelled"
    assert records.result_status(failed) == "fail"
    assert records.result_status(timed_out) == "timeout"


def test_a_task_of_several_steps_is_a_job_listing_each_step() -> None:
    task = make_task()
    scp = common_pb2.ScpStep(
        src=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_FILESERVER),
        src_path="app.tgz",
        dst=common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_GROUP, content="web"),
        dst_path="/opt/app.tgz",
        chmod="644",
        timeout_seconds=300,
    )
    task.subtasks.add(uuid="S2", id=42, position=1, step=common_pb2.Step(name="ship", scp=scp))

    info = records.record_info(task)

    assert (info["module_name"], info["script"], info["script_type"]) == ("job", "", "")
    assert info["timeout"] == 360
    parameters = json.loads(info["parameters"])
    assert [step["name"] for step in parameters["steps"]] == ["a", "ship"]
    ship = parameters["steps"][1]
    assert (ship["pattern"], ship["script"], ship["timeout"]) == ("file", "app.tgz", 300)
    assert ship["params"]["target"] == "/opt/app.tgz"
    assert (ship["params"]["srcType"], ship["params"]["dstType"]) == ("fileserver", "group")


def test_a_result_row_per_execution() -> None:
    task = make_task()

    rows = [results.result_fields(task, e) for e in results.executions_in_order(task)]

    assert rows[0] == {
        "recordId": "T1",
        "hostIp": "n1",  # no IP recorded: the node's name
        "hostId": "n1",
        "entityId": "n1",
        "idcName": "0",
        "status": "success",
        "message": "",
        "startTime": "2024-01-02T03:04:05Z",
        "endTime": "2024-01-02T03:04:07Z",
        "stepId": 41,
        "attempt": 1,
    }
    assert (rows[1]["hostIp"], rows[1]["idcName"], rows[1]["status"]) == ("10.0.0.2", "3", "")
    assert rows[1]["startTime"] == rows[1]["endTime"] == ""


def test_host_words() -> None:
    task = make_task()
    execution = task.executions[0]
    for status, word in [
        (common_pb2.EXECUTION_STATUS_QUEUED, ""),
        (common_pb2.EXECUTION_STATUS_RUNNING, ""),
        (common_pb2.EXECUTION_STATUS_FAIL, "fail"),
        (common_pb2.EXECUTION_STATUS_TIMEOUT, "timeout"),
        (common_pb2.EXECUTION_STATUS_KILLED, "cancelled"),
        (common_pb2.EXECUTION_STATUS_LOST, "fail"),
    ]:
        execution.status = status
        assert results.result_fields(task, execution)["status"] == word
