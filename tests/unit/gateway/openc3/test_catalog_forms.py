"""The catalogue routes' request builders: jobs, scripts, nodes, groups, accounts, variables."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.errors import FieldError
from gateway.openc3.routes import (
    jobs,
    nodegroup,
    nodes,
    scripts,
    task,
    token,
    userlist,
    variable,
)
from jobfleet.v1 import catalog_pb2, common_pb2

STEP = {"plugin_type": "cmd", "name": "s", "node_cont": "n1", "scripts_cont": "true"}
KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n"


def field_of(call: Any, *args: Any) -> str:
    with pytest.raises(FieldError) as caught:
        call(*args)
    return caught.value.field


def test_create_and_update_job() -> None:
    fields = {"name": "deploy", "permanent": "1", "data": [STEP]}

    created = jobs.create_job_request(1, fields, "ops")
    updated = jobs.update_job_request(1, "j1", {**fields, "permanent": ""}, "ops")

    assert (created.name, created.permanent, created.actor, len(created.steps)) == (
        "deploy",
        True,
        "ops",
        1,
    )
    assert (updated.uuid, updated.permanent, updated.steps) == ("j1", False, created.steps)
    assert field_of(jobs.create_job_request, 1, {"data": [STEP]}, "ops") == "name"
    assert field_of(jobs.create_job_request, 1, {"name": "x"}, "ops") == "data"


def test_script() -> None:
    ask = scripts.create_script_request(1, {"name": "s", "cont": "ls\n"}, "ops")

    assert (ask.type, ask.content) == (common_pb2.SCRIPT_TYPE_SHELL, "ls\n")
    assert field_of(scripts.create_script_request, 1, {"name": "s"}, "ops") == "cont"
    bad_type = {"name": "s", "cont": "x", "type": "ruby"}
    assert field_of(scripts.update_script_request, 1, 2, bad_type, "ops") == "type"


def test_node() -> None:
    fields = {"name": "n1", "inip": "10.0.0.1", "exip": "::1", "sshport": "2222"}

    assert nodes.create_node_request(1, fields, "ops") == catalog_pb2.CreateNodeRequest(
        project_id=1, name="n1", inip="10.0.0.1", exip="::1", ssh_port=2222, actor="ops"
    )
    in_area = nodes.create_node_request(1, {**fields, "bk_cloud_id": 2**31 - 1}, "ops")
    assert in_area.cloud_id == 2**31 - 1
    cases: list[tuple[dict[str, object], str]] = [
        ({"inip": "10.0.0"}, "inip"),
        ({"exip": "host"}, "exip"),
        ({"sshport": "0"}, "sshport"),
        ({"name": ""}, "name"),
        ({"bk_cloud_id": -1}, "bk_cloud_id"),
        ({"bk_cloud_id": 2**31}, "bk_cloud_id"),
        ({"bk_cloud_id": "area"}, "bk_cloud_id"),
    ]
    for bad, field in cases:
        assert field_of(nodes.create_node_request, 1, {**fields, **bad}, "ops") == field


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("10.0.0.5", ("10.0.0.5", "10.0.0.5", "")),
        ("fe80::1", ("fe80::1", "fe80::1", "")),
        ("web1::10.0.0.5", ("web1", "10.0.0.5", "")),
        ("web1::10.0.0.5::203.0.113.7", ("web1", "10.0.0.5", "203.0.113.7")),
        (" web1 :: 10.0.0.5 ", ("web1", "10.0.0.5", "")),
        ("web1", ("web1", "", "")),
    ],
)
def test_openc3s_one_field_node_entry(entry: str, expected: tuple[str, str, str]) -> None:
    ask = nodes.create_node_request(1, {"name": entry}, "ops")

    assert (ask.name, ask.inip, ask.exip) == expected


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "web1::"},
        {"name": "::10.0.0.5::1.2.3.4"},
        {"name": "web1::10.0.0"},
        {"name": "web1::10.0.0.5::outer"},
        {"name": "web1::10.0.0.5::1.2.3.4::5.6.7.8"},
        {"name": "web1::10.0.0.5", "inip": "10.0.0.6"},
    ],
)
def test_each_part_of_a_node_entry_is_checked_naming_name(fields: dict[str, str]) -> None:
    assert field_of(nodes.create_node_request, 1, fields, "ops") == "name"


def test_openc3_group_plugins_pass_as_sent() -> None:
    for plugin in ("node", "type"):
        ask = nodegroup.create_group_request(
            1, {"name": "g", "plugin": plugin, "params": "a,b"}, "ops"
        )
        assert (ask.plugin, ask.params) == (plugin, "a,b")


def test_token_names_its_job() -> None:
    page = {"token": "a" * 32, "describe": "ci", "isjob": True, "jobname": "deploy"}

    ask = token.create_token_request(1, page, "ops")
    plain = token.create_token_request(1, {**page, "isjob": False}, "ops")

    assert (ask.token, ask.run_job, ask.job_name) == ("a" * 32, True, "deploy")
    assert (plain.run_job, plain.job_name) == (False, "")
    no_job = {**page, "jobname": ""}
    assert field_of(token.create_token_request, 1, no_job, "ops") == "jobname"
    assert field_of(token.create_token_request, 1, {**page, "token": "short"}, "ops") == "token"


def test_group_defaults_to_the_list_plugin() -> None:
    ask = nodegroup.create_group_request(1, {"name": "web", "params": "n1,n2"}, "ops")

    assert ask.plugin == "list"
    bad = {"name": "web", "plugin": "Bad Plugin"}
    assert field_of(nodegroup.update_group_request, 1, 2, bad, "ops") == "plugin"


def test_account_secrets_pass_through_and_are_checked() -> None:
    ask = userlist.create_account_request(1, {"username": "app", "private_key": KEY}, "ops")

    assert (ask.username, ask.private_key, ask.password) == ("app", KEY, "")
    for bad, field in [
        ({}, "username"),
        ({"username": "a b"}, "username"),
        ({"username": "app", "private_key": "/root/.ssh/id_rsa"}, "private_key"),
    ]:
        assert field_of(userlist.create_account_request, 1, bad, "ops") == field


def test_variables() -> None:
    one = variable.save_variable_request(
        1, {"jobuuid": "j1", "name": "v", "value": " x ", "id": "3"}
    )
    many = variable.save_variables_request(
        1, {"jobuuid": "j1", "data": [{"name": "a"}, {"name": "b", "value": "2"}]}
    )

    assert (one.id, one.name, one.value) == (3, "v", " x ")
    assert [(v.name, v.value) for v in many.variables] == [("a", ""), ("b", "2")]
    listed = {"id": 4, "name": "c", "value": 12, "describe": None, "option": "x,y", "env": ""}
    as_listed = variable.save_variables_request(1, {"jobuuid": "j1", "data": [listed]})
    nothing = variable.save_variables_request(1, {"jobuuid": "j1", "data": []})
    assert [(v.name, v.value, v.describe, v.option) for v in as_listed.variables] == [
        ("c", "12", "", "x,y")
    ]
    assert list(nothing.variables) == []
    bad_item = {"jobuuid": "j1", "data": [{"name": "a"}, {"name": "1x"}]}
    assert field_of(variable.save_variables_request, 1, bad_item) == "data[1].name"
    assert field_of(variable.save_variable_request, 1, {"name": "v"}) == "jobuuid"


def test_job_tasks() -> None:
    by_uuid = task.submit_job_request(1, {"jobuuid": "j1", "variable": {"a": 1}}, "ops")
    by_name = task.submit_job_by_name_request(1, {"jobname": "deploy", "uuid": "t1"}, "ops")

    assert (by_uuid.job_uuid, dict(by_uuid.variables), by_uuid.call_type) == (
        "j1",
        {"a": "1"},
        "api",
    )
    assert (by_name.job_name, by_name.task_uuid, by_name.submitter) == ("deploy", "t1", "ops")
    assert field_of(task.submit_job_request, 1, {}, "ops") == "jobuuid"
    assert field_of(task.submit_job_by_name_request, 1, {"uuid": "t1"}, "ops") == "jobname"
