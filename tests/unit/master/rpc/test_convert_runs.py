"""rpc.convert.task for runs: a request's RunOptions kept as sent and answered back from the
task, a list's new filters and its sort keys (an unknown one refused naming `order_by`)."""

from __future__ import annotations

import pytest

from jobfleet.v1 import common_pb2, task_pb2
from master.db.models import Task
from master.domain import SortKey
from master.errors import InvalidArgument
from master.rpc.convert.task import run_options, stored_options, task_filter


def test_options_as_sent_come_back_from_the_task() -> None:
    sent = common_pb2.RunOptions(
        nodegroup_id=4,
        limit="web*",
        account_id=9,
        inventory_str="a,b",
        module="shell",
        arguments="id",
        verbosity=2,
        tags="t",
        skip_tags="s",
        diff_mode=True,
        become_enabled=True,
        force_handlers=True,
        start_at_task="x",
        variables_text="a: 1",
        job_kind="adhoc",
    )
    kept = run_options(sent)
    row = Task(nodegroup_id=kept.nodegroup_id, account_id=kept.account_id, options=kept.stored())

    assert stored_options(row) == sent
    assert stored_options(Task(nodegroup_id=0, account_id=0, options="{}")) == (
        common_pb2.RunOptions()
    )


def test_a_list_takes_the_runs_filters_and_sort_keys() -> None:
    ask = task_pb2.ListTasksRequest(
        project_id=1,
        job_id=3,
        nodegroup_id=4,
        account_id=5,
        crontab_id=6,
        job_types=["plugin_cmd", "plugin_cmd", "plugin_scp"],
        order_by=["-finished_at", "name", " -forks "],
    )

    f = task_filter(ask)

    assert (f.job_id, f.nodegroup_id, f.account_id, f.crontab_id) == (3, 4, 5, 6)
    assert f.job_types == ("plugin_cmd", "plugin_scp")
    assert f.order_by == (SortKey("finished_at", True), SortKey("name"), SortKey("forks", True))


@pytest.mark.parametrize("key", ["uuid", "-", "status;drop", "Name"])
def test_an_unknown_sort_key_is_refused_naming_order_by(key: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        task_filter(task_pb2.ListTasksRequest(project_id=1, order_by=[key]))

    assert err.value.field == "order_by"
