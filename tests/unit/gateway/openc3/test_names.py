"""openc3.names: proto field paths -> the keys OpenC3 clients sent, per route."""

from __future__ import annotations

import pytest
from starlette.routing import Route

from gateway.app import ROUTES
from gateway.openc3.names import ROUTE_FIELD_NAMES, field_name


@pytest.mark.parametrize(
    ("field", "key"),
    [
        ("steps[1].nodes", "data[1].node_cont"),
        ("steps[1].cmd.nodes", "data[1].node_cont"),
        ("steps[0].cmd.nodes.type", "data[0].node_type"),
        ("steps[2].script", "data[2].scripts_cont"),
        ("steps[2].cmd.script_type", "data[2].scripts_type"),
        ("steps[2].args", "data[2].scripts_argv"),
        ("steps[3].timeout_seconds", "data[3].timeout"),
        ("steps[3].scp.src", "data[3].src"),
        ("steps[3].scp.src.type", "data[3].src_type"),
        ("steps[3].src_path", "data[3].sp"),
        ("steps[3].dst_path", "data[3].dp"),
        ("steps[3].scp.dst.content", "data[3].dst"),
        ("steps[4].user", "data[4].user"),
        ("steps[4].name", "data[4].name"),
        ("steps[4]", "data[4]"),
        ("steps", "data"),
        ("variables[2].name", "data[2].name"),
        ("filter.name_contains", "name"),
        ("filter.job_name_contains", "jobname"),
        ("filter.inip_contains", "inip"),
        ("filter.create_time_end", "create_time_end"),
        ("job_uuid", "jobuuid"),
        ("task_uuid", "taskuuid"),
        ("subtask_uuid", "subtaskuuid"),
        ("ssh_port", "sshport"),
        ("cloud_id", "bk_cloud_id"),
        ("content", "cont"),
        ("actor", "appname"),
        ("project_id", "projectid"),
        ("uuid", "uuid"),
        ("something_new", "something_new"),
        ("scp.src", "src"),
        ("scp.src.type", "src_type"),
        ("scp.src.content", "src"),
        ("scp.src_path", "sp"),
        ("scp.dst", "dst"),
        ("scp.dst.type", "dst_type"),
        ("scp.dst_path", "dp"),
        ("scp.chown", "chown"),
        ("scp.chmod", "chmod"),
        ("scp.user", "user"),
        ("scp.timeout_seconds", "timeout"),
        ("name", "name"),
    ],
)
def test_names_on_any_route(field: str, key: str) -> None:
    assert field_name(field) == key


@pytest.mark.parametrize(
    ("route", "field", "key"),
    [
        ("/jobs/{projectid}/{jobuuid}", "uuid", "jobuuid"),
        ("/scripts/{projectid}/{scriptsid}", "id", "scriptsid"),
        ("/task/{projectid}/redo", "uuid", "taskuuid"),
        ("/task/{projectid}/job/byname", "task_uuid", "uuid"),
        ("/subtask/{projectid}/{taskuuid}", "uuid", "taskuuid"),
        ("/nodeinfo/{projectid}/check", "nodes", "node"),
        ("/variable/{projectid}/update", "variables", "data"),
        ("/fileserver/{projectid}/{fileserverid}", "id", "fileserverid"),
        ("/third/option/jobname", "project_id", "project_id"),
        ("/third/interface/invoke", "task_uuid", "uuid"),
        ("/third/interface/invoke", "job_name", "params.jobname"),
        ("/third/interface/dry-run", "job.job_name", "params.jobname"),
        ("/third/interface/dry-run", "job.variables", "params.variable"),
        ("/third/interface/dry-run", "job.project_id", "project_id"),
    ],
)
def test_route_overrides(route: str, field: str, key: str) -> None:
    assert field_name(field, route) == key


def test_every_override_is_for_a_served_route() -> None:
    paths = {route.path for route in ROUTES if isinstance(route, Route)}

    assert set(ROUTE_FIELD_NAMES) <= paths
