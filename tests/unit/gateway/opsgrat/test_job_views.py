"""A task as OpsGrat's run row: every key of the document's example, the names of what it names
(or the name it ran under, or null), the document's words, unix seconds (null before the end)."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from gateway.opsgrat import words
from gateway.opsgrat.views.job import ROW, Related, cuser, row
from jobfleet.v1 import common_pb2

EXAMPLE_KEYS = {
    "id", "template", "cuser", "user", "job_type", "inventory", "credential", "forks", "limit",
    "tags", "skip_tags", "verbosity", "variables", "start_time", "finish_time", "state",
    "inventory_str", "become_enabled", "diff_mode", "force_handlers", "start_at_task",
    "inventory_name", "credential_name", "template_name", "state_name", "playbook", "kind",
    "arguments", "module", "verbosity_name", "kind_name", "job", "node", "force_handlers_name",
    "diff_mode_name", "become_enabled_name", "schedule", "schedule_name", "ctime",
    "project_name", "project",
}  # fmt: skip
"""The keys of job-task-api.txt's example rows."""


def at(seconds: int) -> Timestamp:
    return Timestamp(seconds=seconds)


def task(**fields: object) -> common_pb2.Task:
    base: dict[str, object] = {
        "id": 1716,
        "uuid": "T1",
        "project_id": 15,
        "name": "tomcat",
        "submitter": "token18@token",
        "status": common_pb2.TASK_STATUS_FAIL,
        "job_type": "job",
        "job_id": 28,
        "created_at": at(1561689956),
        "started_at": at(1561689956),
        "finished_at": at(1561689957),
        "options": common_pb2.RunOptions(nodegroup_id=15, account_id=30),
    }
    return common_pb2.Task(**{**base, **fields})  # type: ignore[arg-type]


RELATED = Related(
    templates={(15, 28): "tomcat"},
    groups={(15, 15): "测试tomcat"},
    accounts={(15, 30): "测试"},
    schedules={(15, 4): "nightly"},
    projects={15: "测试tomcat"},
)


def test_a_template_run_reads_as_the_documents_example() -> None:
    shown = row(task(), RELATED)

    assert EXAMPLE_KEYS <= set(shown) and set(shown) - EXAMPLE_KEYS == {"uuid", "reason"}
    assert shown == {
        **shown,
        "id": 1716,
        "template": 28,
        "cuser": 18,
        "user": "token18@token",
        "job_type": "run",
        "inventory": 15,
        "credential": 30,
        "forks": 0,
        "start_time": 1561689956,
        "finish_time": 1561689957,
        "state": "failed",
        "inventory_name": "测试tomcat",
        "credential_name": "测试",
        "template_name": "tomcat",
        "state_name": "失败",
        "playbook": "tomcat",
        "kind": "job",
        "verbosity_name": "Normal",
        "kind_name": "自动化作业",
        "job": None,
        "node": None,
        "force_handlers_name": "否",
        "diff_mode_name": "否",
        "become_enabled_name": "否",
        "schedule": None,
        "schedule_name": None,
        "ctime": 1561689956,
        "project_name": "测试tomcat",
        "project": 15,
    }
    assert set(ROW["required"]) == set(shown)


def test_an_ad_hoc_run_shows_its_launch_fields_and_no_template() -> None:
    options = common_pb2.RunOptions(
        forks=2,
        check=True,
        module="shell",
        arguments="uptime",
        inventory_str="web1,web2",
        verbosity=4,
        diff_mode=True,
        become_enabled=True,
        variables_text="a: 1",
        limit="web*",
    )
    running = task(
        job_id=0,
        job_type="plugin_cmd",
        status=common_pb2.TASK_STATUS_RUNNING,
        finished_at=None,
        options=options,
        submitter="ann",
    )

    shown = row(running, Related())

    assert {k: shown[k] for k in ("template", "template_name", "inventory", "credential")} == {
        "template": None,
        "template_name": None,
        "inventory": None,
        "credential": None,
    }
    assert (shown["state"], shown["state_name"], shown["finish_time"]) == (
        "running",
        "运行中",
        None,
    )
    assert (shown["job_type"], shown["forks"], shown["kind"], shown["kind_name"]) == (
        "check",
        2,
        "adhoc",
        "批量命令",
    )
    assert (shown["verbosity_name"], shown["diff_mode"], shown["diff_mode_name"]) == (
        "Connection Debug",
        1,
        "是",
    )
    assert (shown["cuser"], shown["user"], shown["project_name"]) == (None, "ann", None)
    assert (shown["module"], shown["arguments"], shown["inventory_str"]) == (
        "shell",
        "uptime",
        "web1,web2",
    )
    assert (shown["variables"], shown["limit"]) == ("a: 1", "web*")


def test_names_of_rows_gone_are_null_but_a_template_keeps_the_name_it_ran_under() -> None:
    shown = row(task(crontab_id=4, name="old name"), Related())

    assert (shown["template"], shown["template_name"]) == (28, "old name")
    assert (shown["inventory_name"], shown["credential_name"], shown["schedule_name"]) == (
        None,
        None,
        None,
    )
    assert row(task(crontab_id=4), RELATED)["schedule_name"] == "nightly"


def test_every_status_has_the_documents_state_and_name() -> None:
    shown = {
        common_pb2.TaskStatus.Name(s): row(task(status=s), RELATED)["state"] for s in words.STATE
    }

    assert shown == {
        "TASK_STATUS_INIT": "new",
        "TASK_STATUS_RUNNING": "running",
        "TASK_STATUS_WAITING": "waiting",
        "TASK_STATUS_DECISION": "waiting",
        "TASK_STATUS_SUCCESS": "successful",
        "TASK_STATUS_FAIL": "failed",
        "TASK_STATUS_KILLED": "failed",
        "TASK_STATUS_REFUSE": "failed",
    }
    assert set(words.STATE_NAME) == set(words.STATE_WORDS) == set(shown.values())


def test_cuser_is_the_submitting_tokens_id() -> None:
    assert [cuser(s) for s in ("token7@token", "admin@token", "api", "token@token")] == [
        7,
        None,
        None,
        None,
    ]
