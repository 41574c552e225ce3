"""The route table: which handler each (method, path) reaches, fixed paths before `{uuid}`."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.routing import Match

from gateway.app import ROUTES


def endpoint(method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The handler's name and path parameters the app would dispatch to (first full match)."""
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in ROUTES:
        match, child = route.matches(scope)
        if match == Match.FULL:
            return child["endpoint"].__name__, child["path_params"]
    raise AssertionError(f"no route for {method} {path}")


@pytest.mark.parametrize(
    ("method", "path", "handler"),
    [
        ("GET", "/task/1/count", "count_tasks"),
        ("POST", "/task/1/job", "submit_job"),
        ("POST", "/task/1/job/byname", "submit_job_by_name"),
        ("POST", "/task/1/redo", "redo_task"),
        ("POST", "/task/1/plugin_cmd", "submit_command"),
        ("POST", "/task/1/plugin_scp", "submit_copy"),
        ("GET", "/task/1/abc123", "get_task"),
        ("GET", "/task/1", "list_tasks"),
        ("GET", "/jobs/1/count", "count_jobs"),
        ("GET", "/jobs/1/j1", "get_job"),
        ("POST", "/jobs/1", "create_job"),
        ("POST", "/jobs/1/j1", "update_job"),
        ("DELETE", "/jobs/1/j1", "delete_job"),
        ("GET", "/scripts/1", "list_scripts"),
        ("GET", "/scripts/1/2", "get_script"),
        ("POST", "/scripts/1", "create_script"),
        ("POST", "/scripts/1/2", "update_script"),
        ("DELETE", "/scripts/1/2", "delete_script"),
        ("GET", "/nodelist/1", "list_nodes"),
        ("POST", "/nodelist/1", "create_node"),
        ("DELETE", "/nodelist/1/2", "delete_node"),
        ("GET", "/nodeinfo/1", "node_info"),
        ("GET", "/nodeinfo/1/check", "check_nodes"),
        ("GET", "/nodeinfo/1/count", "count_nodes"),
        ("GET", "/nodegroup/1", "list_groups"),
        ("GET", "/nodegroup/1/2", "get_group"),
        ("GET", "/nodegroup/1/2/nodelist", "group_nodes"),
        ("POST", "/nodegroup/1", "create_group"),
        ("POST", "/nodegroup/1/2", "update_group"),
        ("DELETE", "/nodegroup/1/2", "delete_group"),
        ("GET", "/userlist/1", "list_accounts"),
        ("POST", "/userlist/1", "create_account"),
        ("DELETE", "/userlist/1/2", "delete_account"),
        ("GET", "/variable/1/j1", "list_variables"),
        ("POST", "/variable/1", "save_variable"),
        ("POST", "/variable/1/update", "save_variables"),
        ("DELETE", "/variable/1", "delete_variable"),
        ("GET", "/subtask/1/t1", "list_subtasks"),
        ("GET", "/subtask/1/t1/s1", "get_subtask"),
        ("POST", "/subtask/1", "control_any"),
        ("PUT", "/subtask/1", "control_put"),
        ("POST", "/third/option/jobname", "job_names"),
        ("POST", "/third/option/variable", "job_variables"),
        ("POST", "/third/interface/dry-run", "dry_run"),
        ("POST", "/third/interface/invoke", "invoke"),
        ("POST", "/third/interface/query", "query"),
        ("POST", "/third/interface/stop", "stop"),
        ("GET", "/slave/s1/tasklog/t1", "task_log"),
        ("DELETE", "/slave/s1/killtask/t1", "kill_task"),
        ("GET", "/fileserver/1", "list_files"),
        ("POST", "/fileserver/1", "upload_files"),
        ("POST", "/fileserver/1/upload", "upload_files_by_token"),
        ("DELETE", "/fileserver/1/2", "delete_file"),
    ],
)
def test_each_route_reaches_its_handler(method: str, path: str, handler: str) -> None:
    assert endpoint(method, path)[0] == handler


def test_a_uuid_route_still_gets_its_uuid() -> None:
    assert endpoint("GET", "/task/7/abc")[1] == {"projectid": "7", "uuid": "abc"}
    assert endpoint("GET", "/jobs/7/abc")[1] == {"projectid": "7", "jobuuid": "abc"}
