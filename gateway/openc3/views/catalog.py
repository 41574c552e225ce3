"""Catalogue rows as the OpenC3 job module lists them: jobs, scripts, machines, groups,
accounts and variables, each with the document's keys and the audit columns."""

from __future__ import annotations

from typing import Any

from gateway.openc3 import words
from gateway.openc3.views.steps import step_hash, step_uuids
from gateway.openc3.views.tasks import format_time
from gateway.words import word
from jobfleet.v1 import catalog_pb2

DEFAULT_SSH_PORT = 22


def audit(trail: catalog_pb2.Audit) -> dict[str, str]:
    """Who created and last edited a row, and when (`YYYY-MM-DD HH:MM:SS` UTC)."""
    return {
        "create_user": trail.create_user,
        "create_time": format_time(trail, "create_time"),
        "edit_user": trail.edit_user,
        "edit_time": format_time(trail, "edit_time"),
    }


def job_row(job: catalog_pb2.Job) -> dict[str, Any]:
    """`permanent` is OpenC3's word for it: `permanent` or `transient`; `hasvariable` 1 when a
    variable its steps use has no value (a run must ask for it: no crontab can run it)."""
    return {
        "id": job.id,
        "uuid": job.uuid,
        "name": job.name,
        "permanent": "permanent" if job.permanent else "transient",
        **audit(job.audit),
        "stepcount": len(job.steps),
        "hasvariable": 1 if job.needs_variables else 0,
    }


def job_detail(job: catalog_pb2.Job) -> dict[str, Any]:
    """A job row plus `data`: its steps as posted, each with its `uuid`; `uuids` lists them as
    `cmd_<uuid>,scp_<uuid>` (OpenC3's pages take each step's type from it). Which monitor
    events may start it: `mon_ids`, `mon_status` 0 or 1, as OpenC3 stores it."""
    return {
        **job_row(job),
        "uuids": step_uuids(job.steps),
        "mon_ids": job.mon_ids,
        "mon_status": int(job.mon_status),
        "data": [step_hash(s) for s in job.steps],
    }


def script_row(script: catalog_pb2.Script) -> dict[str, Any]:
    """`projectid` 0: a shared script (the pages offer edit and delete only in its project)."""
    return {
        "id": script.id,
        "projectid": script.project_id,
        "name": script.name,
        "type": word(words.SCRIPT_TYPE, script.type),
        "cont": script.content,
        **audit(script.audit),
    }


def machine_row(node: catalog_pb2.Node) -> dict[str, Any]:
    """A machine of nodelist; `sshport` is the port used (22 when none was set); `bk_cloud_id`
    bk-job's cloud area of its IP."""
    return {
        "id": node.id,
        "name": node.name,
        "inip": node.inip,
        "exip": node.exip,
        "sshport": node.ssh_port or DEFAULT_SSH_PORT,
        "slave": node.slave,
        "bk_cloud_id": node.cloud_id,
        **audit(node.audit),
    }


def nodeinfo_row(node: catalog_pb2.Node) -> dict[str, Any]:
    """A machine plus `agent`: whether a slave of its name is attached."""
    return {**machine_row(node), "agent": node.agent}


def group_row(group: catalog_pb2.NodeGroup) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "plugin": group.plugin,
        "params": group.params,
        **audit(group.audit),
    }


def account_row(account: catalog_pb2.Account) -> dict[str, Any]:
    """An execution account: which secrets it has, never the secrets."""
    return {
        "id": account.id,
        "username": account.username,
        "has_key": account.has_private_key,
        "has_password": account.has_password,
        **audit(account.audit),
    }


def variable_row(variable: catalog_pb2.Variable) -> dict[str, Any]:
    """`option`: the choices a run form offers; `env`: test or online when only steps of that
    deployenv use it."""
    return {
        "id": variable.id,
        "name": variable.name,
        "value": variable.value,
        "describe": variable.describe,
        "option": variable.option,
        "env": variable.env,
    }


def variable_prompt(variable: catalog_pb2.Variable) -> dict[str, str]:
    """A variable a third-party caller must supply."""
    return {"name": variable.name, "describe": variable.describe}


def file_row(stored: catalog_pb2.StoredFile) -> dict[str, Any]:
    """A file of the file server (OpenC3 shows an md5; the master keeps a sha256)."""
    return {
        "id": stored.id,
        "name": stored.name,
        "size": stored.size,
        "sha256": stored.sha256,
        **audit(stored.audit),
    }
