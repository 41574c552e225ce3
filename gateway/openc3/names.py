"""How OpenC3 names what the master complains about, and how its failures read: HTTP 200 and
`{"stat": false, "info": ...}`, the true status in a header (`render_failure`).

The master names proto fields (`nodes`, `steps[1].nodes`, `filter.name_contains`); a client must
read the key it sent (`node_cont`, `data[1].node_cont`, `name`). Most names are the same on every
route; where one proto field stands for different keys on different routes (`uuid` is `jobuuid`
on /jobs and `taskuuid` on /task/redo) the route's path picks the override. This is the only
place these names are kept (CONVENTIONS 13).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from starlette.responses import Response

from gateway import envelope
from gateway.errors import Dialect, Failure

NOT_SIGNED_IN = 10000
"""OpenC3's `code` for a call without valid credentials (`JOB/lib/api.pm`'s hook)."""

# Proto field -> the OpenC3 key a client sent it as, on every route.
FIELD_NAMES: Mapping[str, str] = {
    "project_id": "projectid",
    "submitter": "appname",
    "actor": "appname",
    "nodes": "node_cont",
    "script_type": "scripts_type",
    "script": "scripts_cont",
    "script_id": "scripts_cont",
    "args": "scripts_argv",
    "timeout_seconds": "timeout",
    "variables": "variable",
    "name_contains": "name",
    "started_after_unix": "time_start",
    "started_before_unix": "time_end",
    "job_uuid": "jobuuid",
    "job_name": "jobname",
    "task_uuid": "taskuuid",
    "subtask_uuid": "subtaskuuid",
    "steps": "data",
    "content": "cont",
    "ssh_port": "sshport",
    "empty_only": "empty",
    "time_zone": "timezone",
    "misfire_policy": "misfire",
    "misfire_grace_seconds": "misfire_grace",
    "fire_limit": "fires",
    "run_job": "isjob",
    "cloud_id": "bk_cloud_id",
}

# ListFilter fields (`filter.<field>`) -> the list query key.
FILTER_NAMES: Mapping[str, str] = {
    "name_contains": "name",
    "job_name_contains": "jobname",
    "inip_contains": "inip",
    "exip_contains": "exip",
}

# A step's proto field (below `cmd.`/`scp.`) -> the step hash key.
STEP_KEYS: Mapping[str, str] = {
    "kind": "plugin_type",
    "cmd": "plugin_type",
    "scp": "plugin_type",
    "nodes": "node_cont",
    "nodes.type": "node_type",
    "nodes.content": "node_cont",
    "script_type": "scripts_type",
    "script": "scripts_cont",
    "script_id": "scripts_cont",
    "args": "scripts_argv",
    "timeout_seconds": "timeout",
    "src.type": "src_type",
    "src.content": "src",
    "src_path": "sp",
    "dst.type": "dst_type",
    "dst.content": "dst",
    "dst_path": "dp",
}

# plugin_scp: SubmitCopyRequest's `scp.<field>` -> the form key, as in a step (`scp.src_path`
# -> `sp`).
SCP_PREFIX = "scp."

_THIRD_OPTION = {"project_id": "project_id"}
_THIRD_INTERFACE = {
    "project_id": "project_id",
    "task_uuid": "uuid",
    "job_name": "params.jobname",
    "variables": "params.variable",
}

# The terminal (`/cmd`): TerminalOpen's fields (alone, or below IssueTerminalTicket's `open.`)
# -> the page's query keys; the log's filters -> OpenC3's.
_TERMINAL_OPEN = {
    f"{prefix}{field}": key
    for prefix in ("", "open.")
    for field, key in {
        "project_id": "projectid",
        "nodes": "node",
        "group_id": "group",
        "user": "sudo",
        "mode": "bash",
        "size": "cols",
        "size.cols": "cols",
        "size.rows": "rows",
    }.items()
}
_TERMINAL_LOG = {
    "actor": "user",
    "user": "usr",
    "after_unix": "time_start",
    "before_unix": "time_end",
    "session_id": "session",
    "before_id": "before",
}

# Route path -> proto field -> key, where a route differs from FIELD_NAMES.
ROUTE_FIELD_NAMES: Mapping[str, Mapping[str, str]] = {
    "/jobs/{projectid}/{jobuuid}": {"uuid": "jobuuid"},
    "/scripts/{projectid}/{scriptsid}": {"id": "scriptsid"},
    "/crontab/{projectid}/{crontabid}": {"id": "crontabid"},
    "/crontab/{projectid}/{crontabid}/status": {"id": "crontabid"},
    "/fileserver/{projectid}/{fileserverid}": {"id": "fileserverid"},
    "/task/{projectid}/redo": {"uuid": "taskuuid"},
    "/task/{projectid}/job/byname": {"task_uuid": "uuid"},
    "/subtask/{projectid}/{taskuuid}": {"uuid": "taskuuid"},
    "/subtask/{projectid}/{taskuuid}/{subtaskuuid}": {"uuid": "taskuuid"},
    "/nodeinfo/{projectid}/check": {"nodes": "node"},
    "/variable/{projectid}/update": {"variables": "data"},
    "/third/option/jobname": _THIRD_OPTION,
    "/third/option/variable": _THIRD_OPTION,
    "/third/interface/dry-run": _THIRD_INTERFACE,
    "/third/interface/invoke": _THIRD_INTERFACE,
    "/cmd/{projectid}": _TERMINAL_OPEN,
    "/cmd/{projectid}/socket": _TERMINAL_OPEN,
    "/cmd/{projectid}/log": _TERMINAL_LOG,
    "/cmd/{projectid}/session/{session}": {"session_id": "session"},
}

_ITEM = re.compile(r"^(steps|variables)\[(\d+)\](?:\.(.+))?$")


def field_name(field: str, route: str = "") -> str:
    """The key a client of `route` (a path template) knows the proto `field` by."""
    field = field.removeprefix("job.")  # DryRunRequest wraps a SubmitJobRequest
    item = _ITEM.match(field)
    if item:
        return _item_name(item.group(1), item.group(2), item.group(3) or "")
    if field.startswith(SCP_PREFIX):
        key = field.removeprefix(SCP_PREFIX)
        return STEP_KEYS.get(key, key)
    if field.startswith("filter."):
        key = field.removeprefix("filter.")
        return FILTER_NAMES.get(key, key)
    names = ROUTE_FIELD_NAMES.get(route, {})
    return names.get(field) or FIELD_NAMES.get(field, field)


def _item_name(array: str, index: str, rest: str) -> str:
    """`steps[1].cmd.nodes` -> `data[1].node_cont`; `variables[0].name` -> `data[0].name`."""
    if array == "steps":
        rest = re.sub(r"^(cmd|scp)\.", "", rest)
        rest = STEP_KEYS.get(rest, rest)
    return f"data[{index}].{rest}" if rest else f"data[{index}]"


def failure_info(failure: Failure) -> str:
    """OpenC3 words format failures "check format fail: <field>: <why>"."""
    if failure.field and failure.status == 400:
        return f"check format fail: {failure.field}: {failure.message}"
    if failure.field:
        return f"{failure.field}: {failure.message}"
    return failure.message


def render_failure(failure: Failure) -> Response:
    """HTTP 200 with `stat: false`, as OpenC3 answers (its pages read only 2xx answers); the
    true status in `X-Jobfleet-Status`. Unauthenticated: OpenC3's `code: 10000`, on which its
    pages go to their login."""
    info = failure_info(failure)
    if failure.keep_status:
        return envelope.fail(info, failure.status)
    if failure.status == 401:
        return envelope.refused(info, failure.status, code=NOT_SIGNED_IN)
    return envelope.refused(info, failure.status)


def dialect(route: str = "") -> Dialect:
    """The OpenC3 dialect as spoken on `route` (a path template; "" when none matched)."""
    return Dialect(functools.partial(field_name, route=route), render_failure)
