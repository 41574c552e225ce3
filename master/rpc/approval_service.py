"""ApprovalService (a project token or the admin's: quick approvals, the project's approvals,
an admin's answer) and ApprovalLinkService (no project token: the link's token is the
credential, checked by the domain)."""

from __future__ import annotations

from jobfleet.v1 import approval_pb2 as pb
from jobfleet.v1 import approval_pb2_grpc
from master.errors import PermissionDenied
from master.rpc.context import CALLER, Context
from master.rpc.convert import approval as convert
from master.rpc.convert import task as convert_task
from master.rpc.errors import unary
from master.tasks.approval_answers import ApprovalAnswers
from master.tasks.engine import TaskEngine
from master.tasks.queries import TaskQueries

NOT_AN_APPROVER = (
    "a project token is not an approver: answer through the link sent to the approver "
    "(an admin token may answer for them, recorded as assist)"
)


class ApprovalServicer(approval_pb2_grpc.ApprovalServiceServicer):
    def __init__(self, engine: TaskEngine, queries: TaskQueries, answers: ApprovalAnswers) -> None:
        self.engine = engine
        self.queries = queries
        self.answers = answers

    @unary
    async def SubmitApproval(
        self, request: pb.SubmitApprovalRequest, context: Context
    ) -> pb.SubmitApprovalResponse:
        task = await self.engine.submit_approval(
            request.project_id,
            request.name,
            request.submitter or "api",
            request.call_type or "api",
            convert.quick_step(request),
            dict(request.variables),
        )
        view = await self.queries.view(task)
        return pb.SubmitApprovalResponse(
            task=convert_task.task(
                view.task, view.executions, subs=view.subtasks, note_count=view.note_count
            )
        )

    @unary
    async def ListApprovals(
        self, request: pb.ListApprovalsRequest, context: Context
    ) -> pb.ListApprovalsResponse:
        found = await self.answers.listed(request.project_id, request.limit)
        return pb.ListApprovalsResponse(approvals=[convert.approval(v) for v in found])

    @unary
    async def AnswerApproval(
        self, request: pb.AnswerApprovalRequest, context: Context
    ) -> pb.AnswerApprovalResponse:
        if not CALLER.get().admin:
            raise PermissionDenied(NOT_AN_APPROVER, "uuid")
        view = await self.answers.answer_as_admin(
            request.project_id, request.uuid, request.opinion, request.actor or "admin"
        )
        return pb.AnswerApprovalResponse(approval=convert.approval(view))


class ApprovalLinkServicer(approval_pb2_grpc.ApprovalLinkServiceServicer):
    def __init__(self, answers: ApprovalAnswers) -> None:
        self.answers = answers

    @unary
    async def PeekApproval(
        self, request: pb.PeekApprovalRequest, context: Context
    ) -> pb.PeekApprovalResponse:
        view = await self.answers.peek(request.token)
        return pb.PeekApprovalResponse(approval=convert.approval(view))

    @unary
    async def AnswerByLink(
        self, request: pb.AnswerByLinkRequest, context: Context
    ) -> pb.AnswerApprovalResponse:
        view = await self.answers.answer_by_link(request.token, request.opinion, request.uuid)
        return pb.AnswerApprovalResponse(approval=convert.approval(view))
