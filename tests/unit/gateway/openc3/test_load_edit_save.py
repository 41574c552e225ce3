"""A job's detail, as `GET /jobs/:projectid/:jobuuid` answers it, posted back unchanged (OpenC3's
edit page, and c3mc-job-load after a YAML round trip) parses to the same steps; what the pages
send that is not modelled is accepted; each step's type may come from `uuids`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway.errors import FieldError
from gateway.openc3.routes import jobs
from gateway.openc3.steps import parse_steps
from gateway.openc3.views import catalog as views
from jobfleet.v1 import catalog_pb2, common_pb2

# What OpenC3's cmd and scp dialogs send (plugin/cmd.controller.js, plugin/scp.controller.js).
PAGE_CMD: dict[str, Any] = {
    "plugin_type": "cmd",
    "name": "执行脚本_1",
    "user": "root",
    "node_type": "group",
    "node_cont": 7,  # a group picked in the dialog: its id, a number
    "scripts_type": "shell",
    "scripts_cont": "echo ${version}\n",
    "scripts_argv": " ",  # the page's "no arguments"
    "timeout": 60,
    "pause": None,
    "deployenv": "always",
    "action": "always",
    "batches": "always",
}
PAGE_SCP: dict[str, Any] = {
    "plugin_type": "scp",
    "name": "文件分发_1",
    "user": "root",
    "src_type": "fileserver",
    "src": "",
    "sp": "app.tgz",
    "dst_type": "variable",
    "dst": "$ip",
    "dp": "/srv/",
    "chown": "root",
    "chmod": "755",
    "timeout": "120",
    "pause": "check the copy",
    "scp_delete": True,
    "deployenv": "online",
    "action": "deploy",
    "batches": "firsttime",
}
PAGE_JOB: dict[str, Any] = {
    "name": "deploy",
    "mon_ids": None,
    "mon_status": False,
    "permanent": "permanent",
    "data": [PAGE_CMD, PAGE_SCP],
}


def saved(body: dict[str, Any]) -> catalog_pb2.Job:
    """What the master would answer after saving `body` (uuids assigned)."""
    ask = jobs.create_job_request(1, body, "ops")
    for index, step in enumerate(ask.steps):
        step.uuid = f"Step{index}uuid"
    return catalog_pb2.Job(
        id=9, uuid="Job000000001", name=ask.name, permanent=ask.permanent, steps=ask.steps
    )


def dumped(job: catalog_pb2.Job) -> dict[str, Any]:
    """The detail as a client holds it: JSON, as sent over the wire."""
    loaded: dict[str, Any] = json.loads(json.dumps(views.job_detail(job)))
    return loaded


def test_what_the_page_sends_is_accepted_and_kept_as_sent() -> None:
    cmd, scp = jobs.create_job_request(1, PAGE_JOB, "ops").steps

    assert cmd.cmd.nodes == common_pb2.NodeSelector(
        type=common_pb2.NODE_SELECTOR_TYPE_GROUP, content="7"
    )
    assert (cmd.cmd.args, cmd.pause, cmd.deployenv) == (" ", "", "always")
    assert (scp.scp.chmod, scp.scp.timeout_seconds, scp.scp.dst.content) == ("755", 120, "$ip")
    assert (scp.deployenv, scp.action, scp.batches) == ("online", "deploy", "firsttime")


def test_a_detail_posted_back_unchanged_saves_the_same_steps() -> None:
    job = saved(PAGE_JOB)
    detail = dumped(job)

    update = jobs.update_job_request(1, detail["uuid"], detail, "ops")
    copy = jobs.create_job_request(1, {**detail, "name": "deploy copy"}, "ops")

    assert list(update.steps) == list(job.steps)  # each step keeps its uuid
    assert update.name == "deploy" and update.permanent is True
    transient = jobs.update_job_request(1, "j", {**detail, "permanent": "transient"}, "ops")
    assert transient.permanent is False
    assert [s.name for s in copy.steps] == ["执行脚本_1", "文件分发_1"]
    assert detail["uuids"] == "cmd_Step0uuid,scp_Step1uuid"
    assert (detail["mon_ids"], detail["mon_status"]) == ("", 0)


def test_c3mc_job_load_sets_each_type_from_uuids_and_permanent_to_1() -> None:
    detail = dumped(saved(PAGE_JOB))
    for step in detail["data"]:
        del step["plugin_type"]  # OpenC3's detail has no plugin_type: the loader takes uuids

    loaded = jobs.create_job_request(1, {**detail, "permanent": 1}, "job@app")

    assert [s.WhichOneof("kind") for s in loaded.steps] == ["cmd", "scp"]
    assert loaded.permanent is True
    assert [s.cmd.script for s in loaded.steps[:1]] == ["echo ${version}\n"]


def test_an_edit_on_the_page_keeps_the_other_steps() -> None:
    detail = dumped(saved(PAGE_JOB))
    detail["data"][0]["scripts_cont"] = "echo edited\n"
    detail["data"].append({**PAGE_CMD, "name": "added", "node_type": "builtin", "node_cont": "n1"})

    edited = jobs.update_job_request(1, detail["uuid"], detail, "ops").steps

    assert [s.uuid for s in edited] == ["Step0uuid", "Step1uuid", ""]
    assert edited[0].cmd.script == "echo edited\n" and edited[1].scp.dst.content == "$ip"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"uuids": "rollout_abc,scp_def"}, "data[0].plugin_type"),
        ({"uuids": ""}, "data[0].plugin_type"),
        ({"mon_ids": {"a": 1}}, "mon_ids"),
        ({"mon_status": [True]}, "mon_status"),
    ],
)
def test_a_type_uuids_cannot_give_or_a_bad_unmodelled_key_is_named(
    change: dict[str, Any], field: str
) -> None:
    detail = dumped(saved(PAGE_JOB))
    for step in detail["data"]:
        del step["plugin_type"]

    with pytest.raises(FieldError) as caught:
        jobs.create_job_request(1, {**detail, **change}, "ops")

    assert caught.value.field == field


@pytest.mark.parametrize(
    ("key", "value"),
    [("deployenv", "prod"), ("action", "undo"), ("batches", "sometimes"), ("node_cont", True)],
)
def test_condition_words_and_group_ids_are_checked(key: str, value: Any) -> None:
    with pytest.raises(FieldError) as caught:
        parse_steps({"data": [{**PAGE_CMD, key: value}]})

    assert caught.value.field == f"data[0].{key}"
