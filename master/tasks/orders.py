"""What a slave is sent for one execution: the order to run its command, or to do its half of a
copy, from the execution's row and its planned step."""

from __future__ import annotations

from master.db.models import Execution
from master.domain import Blob, CopyOrder, PlannedStep, Role, RunOrder, SshTarget


def work_order(
    row: Execution, planned: PlannedStep, ssh: SshTarget | None, project_id: int
) -> RunOrder | CopyOrder:
    step = planned.step
    user = "" if ssh else step.user  # over SSH the account is the login
    if row.role == Role.FETCH:
        return CopyOrder(
            row.id, step.timeout_s, step.src_path, ssh=ssh, user=user, project_id=project_id
        )
    if row.role == Role.PLACE:
        name = step.src_path.rstrip("/").rsplit("/", 1)[-1]
        return CopyOrder(
            row.id,
            step.timeout_s,
            step.dst_path,
            Blob.decode(row.blob, row.blob_size),
            name,
            step.chown,
            step.chmod,
            ssh,
            user,
            project_id,
        )
    return run_order(row.id, planned, ssh, project_id)


def run_order(
    execution_id: int, planned: PlannedStep, ssh: SshTarget | None, project_id: int
) -> RunOrder:
    step = planned.step
    script_type, script = planned.script
    return RunOrder(
        execution_id=execution_id,
        script_type=script_type,
        script=script,
        args=tuple(planned.argv),
        user="" if ssh else step.user,  # over SSH the account is the login
        timeout_s=step.timeout_s,
        ssh=ssh,
        project_id=project_id,
    )
