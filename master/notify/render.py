"""What a notice says: OpenC3's switches, templates and placeholders (`${key}` replaced
literally, unknown ones kept), and the JSON document webhooks and callbacks receive."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from master.store.noticebatch import NodeRow, TaskRow

TASK_TEMPLATES = {
    "notifyTemplateEmailTitle": "projectid: ${projectid} job ${status}",
    "notifyTemplateEmailContent": "task ${uuid} :${status}",
    "notifyTemplateSmsContent": "projectid=${projectid} taskuuid=${uuid}: ${status}",
}
APPROVAL_TEMPLATES = {
    "approvalTemplateEmailTitle": "openc3 approval",
    "approvalTemplateEmailContent": "${cont}",
    "approvalTemplateSmsContent": "${cont}",
}
CALL_TYPES = {"api": "Api", "crontab": "Crontab", "page": "Page"}
"""OpenC3's three; a task launched another way is switched as `Api` (docs/notifications.md)."""
STATUS_SWITCH = {
    "success": "Success",
    "fail": "Fail",
    "killed": "Fail",
    "refuse": "Fail",
    "waiting": "Waiting",
    "decision": "Waiting",
}
"""OpenC3 has Fail/Success/Waiting switches: a killed or refused run is a failure to be told of,
a step waiting for a decision on failed nodes is a wait."""
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ON = "true"


def switch(call_type: str, status: str, channel: str) -> str:
    """The environment key that turns a channel on, e.g. isPageFailEmail."""
    calltype = CALL_TYPES.get(call_type, "Api")
    return f"is{calltype}{STATUS_SWITCH[status]}{channel.capitalize()}"


def approval_switch(channel: str) -> str:
    return f"isApprovalSuccess{channel.capitalize()}"


def is_on(settings: Mapping[str, str], key: str) -> bool:
    """A switch is on only when its value is exactly "true" (how OpenC3's page stores it)."""
    return settings.get(key, "") == ON


def template(settings: Mapping[str, str], key: str, defaults: Mapping[str, str]) -> str:
    """The environment's template, or OpenC3's default when missing or empty."""
    return settings.get(key) or defaults[key]


def fill(text: str, values: Mapping[str, str]) -> str:
    """Every `${key}` whose key is known replaced by its value; the others left as they are."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def title_line(text: str) -> str:
    """An email's subject: the first line of the rendered title."""
    return text.splitlines()[0].strip() if text.strip() else ""


def local_time(moment: dt.datetime | None, zone: str) -> str:
    """A stored (naive UTC) time as `YYYY-MM-DD HH:MM:SS` in the master's zone; "" for none."""
    if moment is None:
        return ""
    return moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).strftime(TIME_FORMAT)


def task_values(task: TaskRow, status: str, project_name: str, zone: str) -> dict[str, str]:
    """A task message's placeholders."""
    return {
        "id": str(task.id),
        "projectid": str(task.project_id),
        "projectname": project_name,
        "uuid": task.uuid,
        "name": task.name,
        "user": task.submitter,
        "calltype": task.call_type,
        "status": status,
        "starttime": local_time(task.started_at, zone),
        "finishtime": local_time(task.finished_at, zone),
        "notifytype": "notify",
    }


def document(task: TaskRow, status: str, ran: list[NodeRow], zone: str) -> dict[str, Any]:
    """What webhooks and callbacks receive: the run, and one line per node."""
    nodes = [
        {
            "node": e.node,
            "status": e.status,
            "exit_code": e.exit_code,
            "starttime": local_time(e.started_at, zone),
            "finishtime": local_time(e.finished_at, zone),
        }
        for e in ran
    ]
    counts: dict[str, int] = {}
    for node in nodes:
        counts[str(node["status"])] = counts.get(str(node["status"]), 0) + 1
    return {
        "event": "task",
        "project_id": task.project_id,
        "id": task.id,
        "uuid": task.uuid,
        "name": task.name,
        "user": task.submitter,
        "calltype": task.call_type,
        "status": status,
        "reason": task.reason,
        "starttime": local_time(task.started_at, zone),
        "finishtime": local_time(task.finished_at, zone),
        "nodes": nodes,
        "summary": counts,
    }
