"""rpc.convert.task: a task list's status filter (any of several), counts by status, and a
task's run options (forks, check) both ways."""

from __future__ import annotations

import pytest

from jobfleet.v1 import common_pb2, task_pb2
from master.db.models import Task
from master.domain import RunMode
from master.errors import InvalidArgument
from master.rpc.convert.task import command_spec, job_submission, status_counts, task, task_filter


def test_a_list_filter_takes_any_of_several_statuses_and_the_single_one() -> None:
    ask = task_pb2.ListTasksRequest(
        project_id=1,
        status=common_pb2.TASK_STATUS_FAIL,
        statuses=[common_pb2.TASK_STATUS_KILLED, common_pb2.TASK_STATUS_FAIL],
    )

    assert task_filter(ask).statuses == ("fail", "killed")
    assert task_filter(task_pb2.ListTasksRequest(project_id=1)).statuses == ()


def test_an_unspecified_status_in_the_list_is_refused_naming_it() -> None:
    ask = task_pb2.ListTasksRequest(project_id=1, statuses=[common_pb2.TASK_STATUS_UNSPECIFIED])

    with pytest.raises(InvalidArgument) as err:
        task_filter(ask)

    assert err.value.field == "statuses"


def test_counts_come_in_the_enums_order_without_zeros() -> None:
    counts = status_counts({"waiting": 1, "running": 2, "success": 0})

    assert [(c.status, c.count) for c in counts] == [
        (common_pb2.TASK_STATUS_RUNNING, 2),
        (common_pb2.TASK_STATUS_WAITING, 1),
    ]


def test_run_options_reach_the_submission_and_come_back_with_the_task() -> None:
    options = common_pb2.RunOptions(forks=3, check=True, limit="web*")
    ask = task_pb2.SubmitCommandRequest(script_type=common_pb2.SCRIPT_TYPE_SHELL, options=options)
    row = Task(id=7, uuid="T1", project=1, name="n", status="running", forks=3, check_only=True)

    assert command_spec(ask).mode == RunMode(3, True)
    assert job_submission(task_pb2.SubmitJobRequest(options=options)).mode == RunMode(3, True)
    assert task(row).options == common_pb2.RunOptions(forks=3, check=True)
    assert task(Task(id=8, uuid="T2", project=1, name="n", status="init")).options.forks == 0
