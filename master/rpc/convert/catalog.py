"""Protobuf <-> domain values for CatalogService and TokenService: projects, slaves, steps, jobs,
scripts, nodes, groups, accounts, variables, files, tokens, list filters."""

from __future__ import annotations

from typing import Any

from jobfleet.v1 import auth_pb2, catalog_pb2, common_pb2
from master.catalogue.jobs import JobView
from master.db.models import (
    Account,
    Audited,
    Node,
    NodeGroup,
    Project,
    Script,
    StoredFile,
    Token,
    Variable,
)
from master.domain import (
    APPROVAL_TIMEOUT_S,
    DEFAULT_TIMEOUT_S,
    ListFilter,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
    VariableInput,
)
from master.errors import InvalidArgument
from master.rpc.convert.timestamps import from_unix as when
from master.rpc.convert.timestamps import timestamp
from master.slaves.service import SlaveView

SELECTOR = {t: getattr(common_pb2, f"NODE_SELECTOR_TYPE_{t.name}") for t in SelectorType}
SELECTOR_BACK = {v: k for k, v in SELECTOR.items()}
SCRIPT_TYPE = {t: getattr(common_pb2, f"SCRIPT_TYPE_{t.name}") for t in ScriptType}
SCRIPT_TYPE_BACK = {v: k for k, v in SCRIPT_TYPE.items()}


def list_filter(f: catalog_pb2.ListFilter) -> ListFilter:
    return ListFilter(
        name_contains=f.name_contains,
        create_user=f.create_user,
        edit_user=f.edit_user,
        create_time_start=when(f.create_time_start, "filter.create_time_start"),
        create_time_end=when(f.create_time_end, "filter.create_time_end"),
        edit_time_start=when(f.edit_time_start, "filter.edit_time_start"),
        edit_time_end=when(f.edit_time_end, "filter.edit_time_end"),
        job_name_contains=f.job_name_contains,
        plugin=f.plugin,
        inip_contains=f.inip_contains,
        exip_contains=f.exip_contains,
        limit=max(f.limit, 0),
        offset=max(f.offset, 0),
    )


def audit(row: Audited) -> catalog_pb2.Audit:
    return catalog_pb2.Audit(
        create_user=row.create_user,
        create_time=timestamp(row.create_time),
        edit_user=row.edit_user,
        edit_time=timestamp(row.edit_time),
    )


def script_type(value: int, field: str) -> ScriptType:
    if value == common_pb2.SCRIPT_TYPE_UNSPECIFIED:
        return ScriptType.SHELL
    if value not in SCRIPT_TYPE_BACK:
        raise InvalidArgument(f"unknown script type {value}", field)
    return SCRIPT_TYPE_BACK[value]


def selector(sel: common_pb2.NodeSelector, field: str) -> Selector:
    if sel.type not in SELECTOR_BACK:
        raise InvalidArgument("choose builtin, group or variable", field)
    return Selector(SELECTOR_BACK[sel.type], sel.content)


def step(msg: common_pb2.Step, at: str) -> Step:
    kind = msg.WhichOneof("kind")
    if kind == StepKind.CMD:
        c = msg.cmd
        return Step(
            kind=StepKind.CMD,
            name=msg.name,
            uuid=msg.uuid,
            pause=msg.pause,
            deployenv=msg.deployenv,
            action=msg.action,
            batches=msg.batches,
            user=c.user,
            timeout_s=c.timeout_seconds or DEFAULT_TIMEOUT_S,
            nodes=selector(c.nodes, f"{at}.nodes"),
            script_type=script_type(c.script_type, f"{at}.script_type").value,
            script=c.script,
            script_id=c.script_id,
            args=c.args,
        )
    if kind == StepKind.SCP:
        s = msg.scp
        return Step(
            kind=StepKind.SCP,
            name=msg.name,
            uuid=msg.uuid,
            pause=msg.pause,
            deployenv=msg.deployenv,
            action=msg.action,
            batches=msg.batches,
            user=s.user,
            timeout_s=s.timeout_seconds or DEFAULT_TIMEOUT_S,
            src=selector(s.src, f"{at}.src"),
            src_path=s.src_path,
            dst=selector(s.dst, f"{at}.dst"),
            dst_path=s.dst_path,
            chown=s.chown,
            chmod=s.chmod,
        )
    if kind == StepKind.APPROVAL:
        return approval_step(msg)
    raise InvalidArgument("a step is cmd, scp or approval", f"{at}.kind")


def approval_step(msg: common_pb2.Step) -> Step:
    a = msg.approval
    return Step(
        kind=StepKind.APPROVAL,
        name=msg.name,
        uuid=msg.uuid,
        pause=msg.pause,
        deployenv=msg.deployenv,
        action=msg.action,
        batches=msg.batches,
        timeout_s=a.timeout_seconds or APPROVAL_TIMEOUT_S,
        approvers=a.approvers,
        content=a.content,
        everyone=a.everyone,
        relaxed=a.relaxed,
    )


def steps(msgs: Any) -> list[Step]:
    return [step(m, f"steps[{i}]") for i, m in enumerate(msgs)]


def step_proto(s: Step) -> common_pb2.Step:
    msg = common_pb2.Step(
        uuid=s.uuid,
        name=s.name,
        pause=s.pause,
        deployenv=s.deployenv,
        action=s.action,
        batches=s.batches,
    )
    if s.kind == StepKind.CMD:
        msg.cmd.CopyFrom(
            common_pb2.CmdStep(
                user=s.user,
                nodes=selector_proto(s.nodes),
                script_type=SCRIPT_TYPE[ScriptType(s.script_type)],
                script=s.script,
                script_id=s.script_id,
                args=s.args,
                timeout_seconds=s.timeout_s,
            )
        )
    elif s.kind == StepKind.APPROVAL:
        msg.approval.CopyFrom(
            common_pb2.ApprovalStep(
                approvers=s.approvers,
                content=s.content,
                everyone=s.everyone,
                relaxed=s.relaxed,
                timeout_seconds=s.timeout_s,
            )
        )
    else:
        msg.scp.CopyFrom(
            common_pb2.ScpStep(
                user=s.user,
                src=selector_proto(s.src),
                src_path=s.src_path,
                dst=selector_proto(s.dst),
                dst_path=s.dst_path,
                chown=s.chown,
                chmod=s.chmod,
                timeout_seconds=s.timeout_s,
            )
        )
    return msg


def selector_proto(sel: Selector) -> common_pb2.NodeSelector:
    return common_pb2.NodeSelector(type=SELECTOR[sel.type], content=sel.content)


def job(view: JobView) -> catalog_pb2.Job:
    row = view.row
    return catalog_pb2.Job(
        id=row.id,
        project_id=row.project_id,
        uuid=row.uuid,
        name=row.name,
        permanent=row.permanent,
        steps=[step_proto(s) for s in view.steps],
        audit=audit(row),
        mon_ids=row.mon_ids,
        mon_status=row.mon_status,
        needs_variables=view.needs_variables,
    )


def script(row: Script) -> catalog_pb2.Script:
    return catalog_pb2.Script(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        type=SCRIPT_TYPE[ScriptType(row.type)],
        content=row.content,
        audit=audit(row),
    )


def node(row: Node, agent: bool) -> catalog_pb2.Node:
    return catalog_pb2.Node(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        inip=row.inip,
        exip=row.exip,
        ssh_port=row.ssh_port,
        slave=row.slave,
        audit=audit(row),
        agent=agent,
        cloud_id=row.cloud_id,
    )


def group(row: NodeGroup) -> catalog_pb2.NodeGroup:
    return catalog_pb2.NodeGroup(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        plugin=row.plugin,
        params=row.params,
        audit=audit(row),
    )


def account(row: Account) -> catalog_pb2.Account:
    return catalog_pb2.Account(
        id=row.id,
        project_id=row.project_id,
        username=row.username,
        has_private_key=bool(row.private_key),
        has_password=bool(row.password),
        audit=audit(row),
    )


def stored_file(row: StoredFile) -> catalog_pb2.StoredFile:
    return catalog_pb2.StoredFile(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        size=row.size,
        sha256=row.sha256,
        audit=audit(row),
    )


def variable(row: Variable, job_uuid: str) -> catalog_pb2.Variable:
    return catalog_pb2.Variable(
        id=row.id,
        job_uuid=job_uuid,
        name=row.name,
        value=row.value,
        describe=row.describe,
        option=row.option,
        env=row.env,
    )


def variable_input(msg: catalog_pb2.Variable | catalog_pb2.SaveVariableRequest) -> VariableInput:
    return VariableInput(msg.name, msg.value, msg.describe, msg.option)


def project(row: Project) -> catalog_pb2.Project:
    return catalog_pb2.Project(id=row.id, name=row.name)


def slave_info(view: SlaveView) -> catalog_pb2.SlaveInfo:
    """A slave as listed: what it serves now when attached, else what it may serve."""
    row, attached = view.row, view.attached
    if attached is not None:
        projects = sorted(attached.projects or ())
    else:
        projects = [int(p) for p in row.projects.split(",") if p]
    return catalog_pb2.SlaveInfo(
        name=row.name,
        hostname=row.hostname,
        addresses=[a for a in row.addresses.split(",") if a],
        version=row.version,
        attached=attached is not None,
        last_seen=timestamp(row.last_seen),
        running=view.running,
        projects=projects,
        run_as=[a for a in row.run_as.split(",") if a],
    )


def token(row: Token) -> auth_pb2.Token:
    return auth_pb2.Token(
        id=row.id,
        project_id=row.project_id,
        describe=row.describe,
        audit=audit(row),
        run_job=row.run_job,
        job_name=row.job_name,
    )
