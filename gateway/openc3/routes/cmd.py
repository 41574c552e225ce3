"""OpenC3 `cmd`: the web terminal and its log (TerminalService; docs in gateway/README.md).

`GET /cmd/{projectid}` asks the master for a ticket (which checks the caller, the nodes, the
account) and answers the terminal page, or OpenC3's refusal naming the field before any page;
the page's socket `/cmd/{projectid}/socket` is `terminal.bridge`. The log, a session's
recording and the project's recording switch are plain calls.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute

from gateway import envelope, forms, schemas
from gateway.errors import FieldError
from gateway.openapi import describe
from gateway.openc3.terminal import asked, bridge, page
from gateway.openc3.views import terminal as views
from gateway.upstream import GatewayState
from jobfleet.v1 import terminal_pb2

SESSION_PARAM = "session"
MAX_LIMIT, DEFAULT_LIMIT = 10000, 200
LOG_QUERY: dict[str, schemas.Schema] = {
    "user": schemas.text(255, description="who typed (contains)"),
    "node": schemas.text(255, description="the machine(s) (contains)"),
    "usr": schemas.text(255, description="the account it ran as (contains)"),
    "cmd": schemas.text(500, description="the command (contains)"),
    "time_start": schemas.time_bound(),
    "time_end": schemas.time_bound(description="inclusive: a date covers its whole day (UTC)"),
    "session": schemas.matching("[0-9A-Za-z-]{1,64}", description="one session's rows"),
    "limit": schemas.integer(1, MAX_LIMIT, description=f"rows per page, default {DEFAULT_LIMIT}"),
    "before": schemas.identifier(description="paging: rows with a smaller id (the last `id`)"),
}
SETTINGS_BODY = schemas.obj(
    {"record": schemas.flag(description="record shell sessions")}, ["record"]
)
SETTINGS: schemas.Schema = schemas.obj({"record": {"type": "boolean"}}, ["record"])


def _project(request: Request[GatewayState]) -> int:
    return forms.path_id(request, "projectid")


@describe(
    query=asked.QUERY,
    required_query=("node",),
    enveloped=False,
    media_type="text/html",
    data={"type": "string", "description": "the terminal page"},
)
async def terminal_page(request: Request[GatewayState]) -> Response:
    """GET /cmd/{projectid}?node=a,b[&sudo=u][&bash=1]: the web terminal page.

    `bash=1`: a real shell on one machine; else line mode (each line typed runs on every
    machine; `group=<id>` adds a node group's machines to `node`'s). The master issues a
    single-use ticket (checking the caller, machines and account) before the page is made; a
    refusal is OpenC3's envelope naming the field. `siteaddr` is ignored (the page is served
    here, never a redirect); `tail=1` is refused naming `tail`."""
    project_id = _project(request)
    actor = forms.submitter(request)
    ask = asked.terminal_open(request.query_params, project_id, actor)
    master = request.state["master"]
    ticket = await master.terminal.IssueTerminalTicket(
        terminal_pb2.IssueTerminalTicketRequest(open=ask), timeout=master.timeout
    )
    return page.page(project_id, ticket, actor)


@describe(answers={426: "not a WebSocket handshake: connect with `Upgrade: websocket`"})
async def socket_handshake(request: Request[GatewayState]) -> Response:
    """GET /cmd/{projectid}/socket (a WebSocket): the terminal page's socket.

    First message: `{"ticket", "cols", "rows"}` (the page's ticket; without one the handshake's
    session cookie or token header opens what the query asks: `node`, `sudo`, `bash`, `group`).
    Then binary frames: keystrokes up, terminal output down; JSON text frames: control
    (`resize` up; `opened`, `closed`, `error` down). A `token` query parameter, or an Origin
    that is not this host, is refused. A plain GET is answered 426 (404 for a project that is
    not there: the master is asked first, as on every route naming a project)."""
    ask = terminal_pb2.GetTerminalSettingsRequest(project_id=_project(request))
    master = request.state["master"]
    await master.terminal.GetTerminalSettings(ask, timeout=master.timeout)
    raise FieldError("Upgrade", "this is a WebSocket: connect with `Upgrade: websocket`", 426)


@describe(query=LOG_QUERY, data={"type": "array", "items": {"type": "object"}})
async def terminal_log(request: Request[GatewayState]) -> Response:
    """GET /cmd/{projectid}/log: who ran what where, newest first.

    Rows `id user node usr cmd time` (OpenC3's; `time` UTC `YYYY-MM-DD HH:MM:SS`) plus
    `session kind task_uuid`; `kind` start | line | hidden | end | command. Filters are
    substrings (`user node usr cmd`) and dates; `more` says older rows remain: ask again with
    `before` = the last row's `id`."""
    query = request.query_params
    ask = terminal_pb2.ListTerminalLogRequest(
        project_id=_project(request),
        actor=forms.text(query, "user", max_len=255),
        node=forms.text(query, "node", max_len=255),
        user=forms.text(query, "usr", max_len=255),
        cmd=forms.text(query, "cmd", max_len=500),
        after_unix=forms.time_bound(query, "time_start"),
        before_unix=max(0, forms.time_bound(query, "time_end", end=True) - 1),
        session_id=_session_filter(query),
        limit=forms.integer(query, "limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT),
        before_id=forms.identifier(query, "before", required=False),
    )
    master = request.state["master"]
    reply = await master.terminal.ListTerminalLog(ask, timeout=master.timeout)
    return envelope.ok([views.log_row(e) for e in reply.entries], more=reply.more)


def _session_filter(query: Any) -> str:
    return forms.matching(query, "session", views.SESSION, "a session's uuid")


@describe(
    enveloped=False,
    media_type=views.ASCIICAST,
    data={"type": "string", "description": "asciicast v2: a header line, then events"},
)
async def recording(request: Request[GatewayState]) -> Response:
    """GET /cmd/{projectid}/session/{session}: a recorded shell session (asciicast v2).

    Only projects that record sessions have recordings (`/cmd/{projectid}/settings`); output
    only, never input. Play it with `asciinema play`."""
    session = request.path_params[SESSION_PARAM]
    if not views.SESSION.fullmatch(session):
        raise FieldError(SESSION_PARAM, "must be a session's uuid")
    ask = terminal_pb2.GetTerminalRecordingRequest(project_id=_project(request), session_id=session)
    master = request.state["master"]
    chunks = master.terminal.GetTerminalRecording(ask, timeout=master.timeout)
    first = await views.first_chunk(chunks)  # a refusal is answered before any byte
    return StreamingResponse(views.rest(first, chunks), media_type=views.ASCIICAST)


@describe(data=SETTINGS)
async def get_settings(request: Request[GatewayState]) -> Response:
    """GET /cmd/{projectid}/settings: `record` (shell sessions are recorded for replay)."""
    ask = terminal_pb2.GetTerminalSettingsRequest(project_id=_project(request))
    master = request.state["master"]
    reply = await master.terminal.GetTerminalSettings(ask, timeout=master.timeout)
    return envelope.ok({"record": reply.record})


@describe(body=SETTINGS_BODY, example={"record": True}, data=SETTINGS)
async def set_settings(request: Request[GatewayState]) -> Response:
    """POST /cmd/{projectid}/settings: turn the recording of shell sessions on or off (from
    the next session on)."""
    fields = await forms.read_fields(request)
    if fields.get("record") is None:
        raise FieldError("record", "is required")
    ask = terminal_pb2.SetTerminalSettingsRequest(
        project_id=_project(request),
        record=forms.flag(fields, "record"),
        actor=forms.submitter(request),
    )
    master = request.state["master"]
    reply = await master.terminal.SetTerminalSettings(ask, timeout=master.timeout)
    return envelope.ok({"record": reply.record})


@describe(
    open=True,
    enveloped=False,
    media_type="text/javascript",
    data={"type": "string"},
)
async def static_script(request: Request[GatewayState]) -> Response:
    """GET /cmd/static/{name}.js: the page's scripts (xterm.js, vendored; its fit addon; the
    page's own), served here: nothing is fetched from elsewhere."""
    return page.script(request.path_params["name"])


@describe(open=True, enveloped=False, media_type="text/css", data={"type": "string"})
async def static_style(request: Request[GatewayState]) -> Response:
    """GET /cmd/static/{name}.css: the page's style sheets (xterm.js's, the page's own)."""
    return page.style(request.path_params["name"])


static_routes: list[BaseRoute] = [
    Route("/cmd/static/{name}.js", static_script, methods=["GET"]),
    Route("/cmd/static/{name}.css", static_style, methods=["GET"]),
]
routes: list[BaseRoute] = [
    *static_routes,
    Route("/cmd/{projectid}", terminal_page, methods=["GET"]),
    WebSocketRoute(bridge.SOCKET, bridge.terminal_socket),
    Route(bridge.SOCKET, socket_handshake, methods=["GET"]),
    Route("/cmd/{projectid}/log", terminal_log, methods=["GET"]),
    Route(f"/cmd/{{projectid}}/session/{{{SESSION_PARAM}}}", recording, methods=["GET"]),
    Route("/cmd/{projectid}/settings", get_settings, methods=["GET"]),
    Route("/cmd/{projectid}/settings", set_settings, methods=["POST"]),
]
