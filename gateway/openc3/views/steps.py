"""Job steps as OpenC3 shows them: the step hash keys of the jobs document."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gateway.openc3 import words
from gateway.words import UNKNOWN, word
from jobfleet.v1 import common_pb2, task_pb2

DEFAULT_TIMEOUT = 60
APPROVAL_TIMEOUT = 86400


def plugin_type(step: common_pb2.Step) -> str:
    """`cmd` or `scp`; `unknown` for a step kind this gateway does not know yet."""
    return str(step.WhichOneof("kind") or UNKNOWN)


def selector(selector: common_pb2.NodeSelector, type_key: str, content_key: str) -> dict[str, str]:
    return {
        type_key: word(words.NODE_TYPE, selector.type),
        content_key: selector.content,
    }


def cmd_fields(cmd: common_pb2.CmdStep) -> dict[str, Any]:
    return {
        "user": cmd.user,
        **selector(cmd.nodes, "node_type", "node_cont"),
        **script(cmd),
        "scripts_argv": cmd.args,
        "timeout": cmd.timeout_seconds or DEFAULT_TIMEOUT,
    }


def script(cmd: common_pb2.CmdStep) -> dict[str, str]:
    """The script, or as sent a cited one: `cite` and its id (a string, as OpenC3 keeps it)."""
    if cmd.script_id:
        return {"scripts_type": "cite", "scripts_cont": str(cmd.script_id)}
    return {"scripts_type": word(words.SCRIPT_TYPE, cmd.script_type), "scripts_cont": cmd.script}


def scp_fields(scp: common_pb2.ScpStep) -> dict[str, Any]:
    return {
        "user": scp.user,
        **selector(scp.src, "src_type", "src"),
        **selector(scp.dst, "dst_type", "dst"),
        "sp": scp.src_path,
        "dp": scp.dst_path,
        "chown": scp.chown,
        "chmod": scp.chmod,
        "timeout": scp.timeout_seconds or DEFAULT_TIMEOUT,
    }


def approval_fields(approval: common_pb2.ApprovalStep) -> dict[str, Any]:
    return {
        "approver": approval.approvers,
        "cont": approval.content,
        "everyone": "on" if approval.everyone else "off",
        "relaxed": approval.relaxed or "off",
        "timeout": approval.timeout_seconds or APPROVAL_TIMEOUT,
    }


def step_fields(step: common_pb2.Step) -> dict[str, Any]:
    """The step's own keys, in the document's order (a subtask's `extended`)."""
    kind = plugin_type(step)
    own: dict[str, Any] = {}
    if kind == "cmd":
        own = cmd_fields(step.cmd)
    elif kind == "scp":
        own = scp_fields(step.scp)
    elif kind == "approval":
        own = approval_fields(step.approval)
    return {"name": step.name, **own, "pause": step.pause}


def step_hash(step: common_pb2.Step) -> dict[str, Any]:
    """A step of a job's `data`, as posted back by clients (its `uuid` keeps its identity),
    with OpenC3's rolling-batch conditions as they were sent ("" when not)."""
    return {
        "uuid": step.uuid,
        "plugin_type": plugin_type(step),
        **step_fields(step),
        "deployenv": step.deployenv,
        "action": step.action,
        "batches": step.batches,
    }


def step_uuids(steps: Iterable[common_pb2.Step]) -> str:
    """OpenC3's `uuids` of a job: `cmd_<uuid>,scp_<uuid>`, in step order."""
    return ",".join(f"{plugin_type(s)}_{s.uuid}" for s in steps)


def planned_step(planned: task_pb2.PlannedStep) -> dict[str, Any]:
    """A dry run's step: what would run (variables substituted) and on which nodes."""
    return {**step_hash(planned.step), "nodes": list(planned.nodes)}
