"""OpenC3's approvals: the quick approval (`POST /task/{projectid}/plugin_approval`), the
project's approvals and an admin's answer (`/approval`, a project token or the admin's), and
an approver's link (`/approval/answer`, no project token: the link's token is the credential;
a GET shows what is asked and changes nothing, a POST answers, once)."""

from __future__ import annotations

import grpc
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope, errors, forms, schemas
from gateway.forms import Fields
from gateway.openapi import describe
from gateway.openc3 import steps
from gateway.openc3.logpage import wants_html
from gateway.openc3.routes.task import QUICK_SUBMITTED, VARIABLES, project_id, quick_submitted
from gateway.openc3.views import approvals as views
from gateway.upstream import GatewayState
from jobfleet.v1 import approval_pb2, common_pb2

OPINIONS = ("agree", "refuse")
CONDITION_WORDS = steps.CONDITIONS
QUICK_BODY = schemas.obj(
    {
        "name": schemas.text(255, required=True),
        **steps.APPROVAL_FIELDS,
        **{k: schemas.choice(w, description="only `always`") for k, w in CONDITION_WORDS.items()},
        "variable": VARIABLES,
    },
    ["name", "approver", "cont"],
)
TOKEN = schemas.text(256, required=True, description="the token of the approver's link")
ANSWER_BODY = schemas.obj(
    {
        "token": TOKEN,
        "opinion": schemas.choice(OPINIONS),
        "uuid": schemas.token(description="optional: the approval the page showed"),
    },
    ["token", "opinion"],
)
ADMIN_ANSWER_BODY = schemas.obj(
    {"uuid": schemas.token(), "opinion": schemas.choice(OPINIONS)}, ["uuid", "opinion"]
)
ROW = {"type": "object", "properties": {"uuid": {"type": "string"}, "opinion": {"type": "string"}}}


def quick_request(pid: int, fields: Fields, submitter: str) -> approval_pb2.SubmitApprovalRequest:
    """plugin_approval fields -> SubmitApprovalRequest; conditions other than `always` are the
    master's to refuse, naming the field."""
    step = common_pb2.Step(approval=steps.approval_step(fields))
    for key, words in CONDITION_WORDS.items():
        setattr(step, key, steps.condition(fields, key, words))
    return approval_pb2.SubmitApprovalRequest(
        project_id=pid,
        name=forms.text(fields, "name", required=True, max_len=255),
        submitter=submitter,
        call_type="api",
        step=step,
        variables=forms.string_map(fields, "variable"),
    )


@describe(
    body=QUICK_BODY,
    example={
        "name": "release 1.2",
        "cont": "${submitter} ships release 1.2: agree?",
        "approver": "alice,bob",
        "everyone": "on",
        "relaxed": "off",
        "timeout": 86400,
        "deployenv": "always",
        "action": "always",
        "batches": "always",
    },
    data=QUICK_SUBMITTED,
)
async def submit_approval(request: Request[GatewayState]) -> Response:
    """POST /task/{projectid}/plugin_approval: a task of one approval step."""
    fields = await forms.read_fields(request)
    ask = quick_request(project_id(request), fields, forms.submitter(request))
    master = request.state["master"]
    return quick_submitted((await master.approval.SubmitApproval(ask, timeout=master.timeout)).task)


@describe(
    query={"limit": schemas.integer(1, 1000)},
    data={"type": "array", "items": ROW},
)
async def list_approvals(request: Request[GatewayState]) -> Response:
    """GET /approval: the approvals of the token's project (the admin's: every project), open
    ones first, then the newest."""
    limit = forms.integer(request.query_params, "limit", default=100, low=1, high=1000)
    master = request.state["master"]
    reply = await master.approval.ListApprovals(
        approval_pb2.ListApprovalsRequest(limit=limit), timeout=master.timeout
    )
    return envelope.ok([views.approval_row(a) for a in reply.approvals])


@describe(body=ADMIN_ANSWER_BODY, example={"uuid": "A1b2C3d4E5f6", "opinion": "agree"}, data=ROW)
async def answer_approval(request: Request[GatewayState]) -> Response:
    """POST /approval: the admin token answers for an approver (recorded as `assist`); a
    project token is refused: it is no approver, who answers through their link."""
    fields = await forms.read_fields(request)
    ask = approval_pb2.AnswerApprovalRequest(
        uuid=forms.token(fields, "uuid", required=True),
        opinion=forms.choice(fields, "opinion", OPINIONS),
        actor=forms.submitter(request),
    )
    master = request.state["master"]
    reply = await master.approval.AnswerApproval(ask, timeout=master.timeout)
    return envelope.ok(views.approval_row(reply.approval))


@describe(
    query={"token": TOKEN},
    required_query=["token"],
    open=True,
    enveloped=False,
    media_type="text/html",
    data={"type": "string"},
)
async def confirmation(request: Request[GatewayState]) -> Response:
    """GET /approval/answer?token=: what the link asks, with agree / refuse buttons that POST;
    changes nothing."""
    token = request.query_params.get("token", "")
    master = request.state["master"]
    try:
        reply = await master.approval_link.PeekApproval(
            approval_pb2.PeekApprovalRequest(token=token), timeout=master.timeout
        )
    except grpc.aio.AioRpcError as exc:
        if not wants_html(request.headers.get("accept", "")):
            raise  # a client that is no browser: the envelope
        return refused(exc)
    return views.confirmation_page(reply.approval, token)


@describe(
    body=ANSWER_BODY,
    example={"token": "8Xq...the link's token", "opinion": "agree"},
    open=True,
    data=ROW,
)
async def answer_by_link(request: Request[GatewayState]) -> Response:
    """POST /approval/answer: answer with the link's token, once (a browser's form gets a page
    back, other clients the envelope)."""
    fields = await forms.read_fields(request)
    ask = approval_pb2.AnswerByLinkRequest(
        token=forms.text(fields, "token", required=True, max_len=256),
        opinion=forms.choice(fields, "opinion", OPINIONS),
        uuid=forms.token(fields, "uuid"),
    )
    master = request.state["master"]
    page = wants_html(request.headers.get("accept", ""))
    try:
        reply = await master.approval_link.AnswerByLink(ask, timeout=master.timeout)
    except grpc.aio.AioRpcError as exc:
        if not page:
            raise
        return refused(exc)
    if page:
        return views.answered_page(reply.approval)
    return envelope.ok(views.approval_row(reply.approval))


def refused(exc: grpc.aio.AioRpcError) -> Response:
    """A refusal as a page (a browser opened or posted the link): HTTP 200 as every refusal of
    the document, the status it stands for in X-Jobfleet-Status."""
    info = (exc.details() or "refused").removeprefix("token: ")
    return views.refused_page(info, errors.HTTP_STATUS.get(exc.code(), 502))


routes: list[BaseRoute] = [
    Route("/task/{projectid}/plugin_approval", submit_approval, methods=["POST"]),
    Route("/approval", list_approvals, methods=["GET"]),
    Route("/approval", answer_approval, methods=["POST"]),
]
open_routes: list[BaseRoute] = [
    Route("/approval/answer", confirmation, methods=["GET"]),
    Route("/approval/answer", answer_by_link, methods=["POST"]),
]
