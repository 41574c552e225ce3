"""Approval rows -> proto, and a quick approval's request -> its step."""

from __future__ import annotations

from jobfleet.v1 import approval_pb2, common_pb2
from master.domain import Step
from master.rpc.convert import catalog
from master.rpc.convert.timestamps import timestamp
from master.tasks.approval_answers import ApprovalView


def approval(view: ApprovalView) -> approval_pb2.Approval:
    row = view.row
    return approval_pb2.Approval(
        uuid=row.uuid,
        task_uuid=view.task_uuid,
        step_uuid=view.step_uuid,
        approver=row.approver,
        submitter=row.submitter,
        name=row.name,
        content=row.content,
        everyone=row.everyone,
        opinion=row.opinion,
        remarks=row.remarks,
        assist=row.assist,
        created_at=timestamp(row.created_at),
        answered_at=timestamp(row.answered_at),
        deadline=timestamp(row.deadline),
        open=row.open,
        project_id=row.project_id,
    )


def quick_step(request: approval_pb2.SubmitApprovalRequest) -> Step:
    """The request's step as an approval step named as the task (a step without `approval` is
    read as an empty one: refused naming its fields)."""
    msg = common_pb2.Step()
    msg.CopyFrom(request.step)
    msg.name = request.name
    if msg.WhichOneof("kind") != "approval":
        msg.approval.SetInParent()
    return catalog.approval_step(msg)
