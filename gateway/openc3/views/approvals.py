"""Approval rows as OpenC3's approval pages read them (`openc3_job_approval`'s keys), and the
small HTML pages an approver's link opens: every text escaped, no script, forms posting to the
page's own origin only."""

from __future__ import annotations

import html
from typing import Any

from starlette.responses import HTMLResponse

from gateway.openc3.views.tasks import format_time
from jobfleet.v1 import approval_pb2

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the page's URL carries the token
    "Cache-Control": "no-store",
}


def approval_row(a: approval_pb2.Approval) -> dict[str, Any]:
    return {
        "uuid": a.uuid,
        "taskuuid": a.task_uuid,
        "stepuuid": a.step_uuid,
        "user": a.approver,
        "submitter": a.submitter,
        "name": a.name,
        "cont": a.content,
        "everyone": "YES" if a.everyone else "NO",
        "opinion": a.opinion,
        "remarks": a.remarks,
        "assist": a.assist,
        "create_time": format_time(a, "created_at"),
        "opinion_time": format_time(a, "answered_at"),
        "deadline": format_time(a, "deadline"),
        "status": "open" if a.open else "closed",
    }


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    """A page; a refusal's is HTTP 200 like every refusal of OpenC3's document, the status it
    stands for in X-Jobfleet-Status."""
    headers = {**HEADERS, "X-Jobfleet-Status": str(status)}
    text = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body>{body}</body></html>\n"
    )
    return HTMLResponse(text, headers=headers)


def confirmation_page(a: approval_pb2.Approval, token: str) -> HTMLResponse:
    """What the link asks, and two buttons that POST the answer (a GET changes nothing)."""
    e = html.escape
    hidden = (
        f'<input type="hidden" name="token" value="{e(token)}">'
        f'<input type="hidden" name="uuid" value="{e(a.uuid)}">'
    )
    body = (
        f"<h1>Approval: {e(a.name)}</h1>"
        f"<p>{e(a.approver)}, {e(a.submitter)} asks:</p>"
        f"<pre>{e(a.content)}</pre>"
        f"<p>Open until {e(format_time(a, 'deadline'))} UTC.</p>"
        f'<form method="post" action="answer">{hidden}'
        '<button type="submit" name="opinion" value="agree">agree</button> '
        '<button type="submit" name="opinion" value="refuse">refuse</button></form>'
    )
    return _page("approval", body)


def answered_page(a: approval_pb2.Approval) -> HTMLResponse:
    return _page("approval", f"<p>Recorded: {html.escape(a.opinion)}. Thank you.</p>")


def refused_page(info: str, status: int) -> HTMLResponse:
    return _page("approval", f"<p>{html.escape(info)}</p>", status)
