"""A dry run (RunOptions.check): nothing is sent to any machine. Each execution is routed as for
real, then ends SUCCESS at once, its output one stdout chunk written by the master saying what
would run: node, slave and how it reaches the node, account, interpreter, script and arguments
for a cmd step; source, destination, paths, owner and mode for a copy.

What the master can tell without a machine fails as it would for real: a node no slave can
reach, an account missing or unopened, a file gone from the file server. A copy from a machine
shows both halves at once (the fetch on the source, a place on each destination); a step with
a pause does not wait (a dry run has no rollout to hold): its output says where the real run
would. No secret is written: over SSH, only the login, host and port.
"""

from __future__ import annotations

from master.db.models import Execution
from master.domain import Blob, Placement, PlannedStep, Role, ScriptType

HEAD = "[check mode] nothing was sent to any machine; a real run would"
INTERPRETERS = {ScriptType.SHELL: "bash", ScriptType.PYTHON: "python3", ScriptType.PERL: "perl"}
"""What the slave runs each script type with (slave/commands/process.py)."""


def describe(planned: PlannedStep, row: Execution, placement: Placement, pause: str) -> bytes:
    """The output of one execution of a dry run."""
    if row.role == Role.FETCH:
        lines = _fetch(planned, row)
    elif row.role == Role.PLACE:
        lines = _place(planned, row)
    else:
        lines = _run(planned, row)
    lines.insert(1, f"slave: {_reach(placement)}")
    if pause:
        lines.append(f"then: the task would wait for `next` (pause: {pause})")
    return ("\n".join(lines) + "\n").encode()


def _run(planned: PlannedStep, row: Execution) -> list[str]:
    script_type, script = planned.script
    return [
        f"{HEAD} run this on {row.node}",
        f"account: {_account(planned)}",
        f"interpreter: {INTERPRETERS.get(script_type, script_type.value)}",
        f"args: {planned.step.args or '(none)'}",
        f"timeout: {planned.step.timeout_s} s",
        "script:",
        script.rstrip("\n"),
    ]


def _fetch(planned: PlannedStep, row: Execution) -> list[str]:
    step = planned.step
    where = f"the file server, as {step.dst_path}" if step.into_store else "the file server"
    return [
        f"{HEAD} copy this from {row.node}",
        f"account: {_account(planned)}",
        f"source: {row.node}:{step.src_path}",
        f"into: {where}" + ("" if step.into_store else ", then onto each destination"),
    ]


def _place(planned: PlannedStep, row: Execution) -> list[str]:
    step = planned.step
    return [
        f"{HEAD} copy this onto {row.node}",
        f"account: {_account(planned)}",
        f"source: {_source(planned, Blob.decode(row.blob, row.blob_size))}",
        f"destination: {row.node}:{step.dst_path}",
        f"owner: {step.chown or '(unchanged)'}",
        f"mode: {step.chmod or '(unchanged)'}",
    ]


def _source(planned: PlannedStep, blob: Blob | None) -> str:
    if planned.source:
        return f"{planned.source}:{planned.step.src_path}"
    found = f" ({blob.size} bytes, sha256 {blob.sha256[:12]}…)" if blob else ""
    return f"the file server, {planned.step.src_path}{found}"


def _account(planned: PlannedStep) -> str:
    return planned.step.user or "the slave's default"


def _reach(placement: Placement) -> str:
    ssh = placement.ssh
    if ssh is None:
        return f"{placement.slave} (the node itself)"
    return f"{placement.slave}, over SSH as {ssh.user}@{ssh.host}:{ssh.port}"
