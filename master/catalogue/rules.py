"""Catalogue rules: what a valid script, node, group, account or variable is. Synchronous
(run on the database threads); every refusal names the request field."""

from __future__ import annotations

import re
from typing import Any

from master.catalogue import jobs as job_rules
from master.catalogue import resolve, validate
from master.catalogue.steps import used_variables
from master.db.connection import write_transaction
from master.db.models import Account, Job, Node, NodeGroup, Script, Variable
from master.domain import GroupPlugin, ScriptType, Step, VariableInput
from master.errors import InvalidArgument
from master.secrets import SecretBox
from master.store import catalogue, jobs, projects

IP = re.compile(r"^[0-9A-Fa-f:.]{0,64}$")
MAX_CLOUD_ID = 2**31 - 1
"""bk-job's cloud area ids (bk_cloud_id) are Java ints: 0 (the default area) and up."""
GROUP_PLUGINS = tuple(GroupPlugin)


def _name(value: str, field: str = "name") -> str:
    validate.text(field, value, 255)
    return value.strip()


def save_script(
    project_id: int, name: str, stype: ScriptType, content: str, actor: str, script_id: int = 0
) -> Script:
    projects.require_project(project_id)
    if not content.strip():
        raise InvalidArgument("must not be empty", "content")
    values: dict[str, Any] = {"name": _name(name), "type": stype.value, "content": content}
    if script_id:  # the project's own only: a shared (project 0) script is read-only here
        row = catalogue.one(Script, project_id, script_id, "script")
        return catalogue.update(row, "name", actor, **values)
    return catalogue.create(Script, "name", actor, project=project_id, **values)


def create_node(
    project_id: int,
    name: str,
    inip: str,
    exip: str,
    ssh_port: int,
    slave: str,
    actor: str,
    cloud_id: int = 0,
) -> Node:
    projects.require_project(project_id)
    if not validate.NODE_NAME.match(name.strip()):
        raise InvalidArgument(f"not a valid node name: {name!r}", "name")
    for field, value in (("inip", inip), ("exip", exip)):
        if not IP.match(value.strip()):
            raise InvalidArgument(f"not an IP address: {value!r}", field)
    if not 0 <= ssh_port <= 65535:
        raise InvalidArgument("must be 0 to 65535", "ssh_port")
    if not 0 <= cloud_id <= MAX_CLOUD_ID:
        raise InvalidArgument(f"must be 0 to {MAX_CLOUD_ID}, got {cloud_id}", "cloud_id")
    return catalogue.create(
        Node,
        "name",
        actor,
        project=project_id,
        name=name.strip(),
        inip=inip.strip(),
        exip=exip.strip(),
        ssh_port=ssh_port,
        slave=slave.strip(),
        cloud_id=cloud_id,
    )


def save_group(
    project_id: int, name: str, plugin: str, params: str, actor: str, group_id: int = 0
) -> NodeGroup:
    projects.require_project(project_id)
    plugin = plugin or GroupPlugin.LIST
    if plugin not in GROUP_PLUGINS:
        raise InvalidArgument(
            f"unknown plugin {plugin!r}; known: {', '.join(GROUP_PLUGINS)}", "plugin"
        )
    values: dict[str, Any] = {"name": _name(name), "plugin": plugin, "params": params}
    if group_id:
        row = catalogue.one(NodeGroup, project_id, group_id, "node group")
        return catalogue.update(row, "name", actor, **values)
    return catalogue.create(NodeGroup, "name", actor, project=project_id, **values)


def resolve_group(project_id: int, group_id: int) -> list[str]:
    return resolve.group_members(catalogue.one(NodeGroup, project_id, group_id, "node group"))


def create_account(
    project_id: int,
    username: str,
    private_key: str,
    password: str,
    actor: str,
    secrets: SecretBox,
) -> Account:
    """The account, its key and password sealed with the master's key before they are stored."""
    projects.require_project(project_id)
    if not validate.USER_NAME.match(username):
        raise InvalidArgument(f"not a valid account name: {username!r}", "username")
    if private_key and "PRIVATE KEY" not in private_key:
        raise InvalidArgument("not a PEM or OpenSSH private key", "private_key")
    return catalogue.create(
        Account,
        "username",
        actor,
        project=project_id,
        username=username,
        private_key=secrets.seal(private_key),
        password=secrets.seal(password),
    )


def save_job(
    project_id: int, name: str, permanent: bool, steps: list[Step], actor: str, uuid: str = ""
) -> tuple[Job, list[Step]]:
    """The job saved (catalogue/jobs.py), as its row and its steps."""
    view = job_rules.save_job(project_id, name, permanent, steps, actor, uuid)
    return view.row, view.steps


def save_variable(
    project_id: int,
    job_uuid: str,
    name: str,
    value: str,
    describe: str,
    var_id: int = 0,
    option: str = "",
) -> Variable:
    job = jobs.get(project_id, job_uuid)
    if not validate.VARIABLE_NAME.match(name):
        raise InvalidArgument(f"not a valid variable name: {name!r}", "name")
    return jobs.save_variable(job, name, value, describe, var_id, option)


def save_variables(project_id: int, job_uuid: str, items: list[VariableInput]) -> list[Variable]:
    job = jobs.get(project_id, job_uuid)
    for i, item in enumerate(items):
        if not validate.VARIABLE_NAME.match(item.name):
            raise InvalidArgument(
                f"not a valid variable name: {item.name!r}", f"variables[{i}].name"
            )
    with write_transaction():
        return [
            jobs.save_variable(job, v.name, v.value, v.describe, option=v.option) for v in items
        ]


OTHER_ENV = {"test": "online", "online": "test"}


def list_variables(
    project_id: int,
    job_uuid: str,
    job_name: str,
    empty_only: bool,
    exclude: list[str],
    env: str = "",
) -> tuple[str, list[Variable]]:
    """The job's uuid and its variables (`env` test: not those of online steps only, and vice
    versa); `empty_only` adds the names its steps use that have no row."""
    if env not in ("", *OTHER_ENV):
        raise InvalidArgument(f"must be test or online, got {env!r}", "env")
    job = jobs.get(project_id, job_uuid, job_name)
    rows = [
        v
        for v in jobs.variables(job)
        if v.name not in exclude
        and (not empty_only or not v.value)
        and (not env or v.env != OTHER_ENV[env])
    ]
    if empty_only:  # names the steps use that the job does not define must be supplied too
        defined = {v.name for v in jobs.variables(job)}
        used = sorted(used_variables(jobs.steps_of(job)) - defined - set(exclude))
        rows += [Variable(id=0, job=job.id, name=n, value="", describe="") for n in used]
    return job.uuid, rows


def delete_variable(project_id: int, job_uuid: str, name: str, job_id: int = 0) -> None:
    """The job named by uuid, or by row id (`job_id`; NO_PROJECT: in any project)."""
    job = jobs.by_id(project_id, job_id) if job_id else jobs.get(project_id, job_uuid)
    jobs.delete_variable(job, name)
