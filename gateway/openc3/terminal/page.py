"""The terminal page `GET /cmd/{projectid}` answers, and the static files it loads.

The page holds no script of its own: it loads `cmd.js` and the vendored xterm.js from
`/cmd/static/` (same origin; relative URLs, so `/api/job/cmd/...` finds them under its prefix
too), and the Content-Security-Policy allows scripts from this origin only. Every value it
embeds is HTML-escaped; the ticket sits in a data attribute (never in a URL), which `cmd.js`
reads, removes and sends as the socket's first message.
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.responses import FileResponse, HTMLResponse

from gateway.errors import FieldError
from jobfleet.v1 import terminal_pb2

STATIC = Path(__file__).resolve().parent.parent / "static"
VENDOR = STATIC / "vendor" / "xterm"
SCRIPTS = {
    "xterm": VENDOR / "xterm.js",
    "addon-fit": VENDOR / "addon-fit.js",
    "cmd": STATIC / "cmd.js",
}
STYLES = {"xterm": VENDOR / "xterm.css", "cmd": STATIC / "cmd.css"}
POLICY = (
    "default-src 'self'; script-src 'self'; "
    # xterm.js's DOM renderer writes its theme into a <style> element it creates
    "style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
STATIC_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=3600"}
MODE_WORDS = {terminal_pb2.TERMINAL_MODE_SHELL: "shell", terminal_pb2.TERMINAL_MODE_LINES: "lines"}


def page(
    project_id: int, ticket: terminal_pb2.IssueTerminalTicketResponse, actor: str
) -> HTMLResponse:
    """The terminal page for a ticket just issued."""
    nodes = ",".join(ticket.nodes)
    attributes = {
        "data-ticket": ticket.ticket,
        "data-mode": MODE_WORDS.get(ticket.mode, "lines"),
        "data-nodes": nodes,
        "data-user": ticket.user,
        "data-actor": actor,
        "data-project": str(project_id),
    }
    shown = " ".join(f'{name}="{html.escape(value)}"' for name, value in attributes.items())
    title = html.escape(f"{ticket.user or 'shell'}@{nodes}"[:200])
    body = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        '<link rel="stylesheet" href="static/xterm.css">'
        '<link rel="stylesheet" href="static/cmd.css">'
        '<script src="static/xterm.js"></script>'
        '<script src="static/addon-fit.js"></script>'
        '<script src="static/cmd.js" defer></script>'
        f'</head>\n<body><div id="terminal" {shown}></div></body></html>\n'
    )
    return HTMLResponse(body, headers=HEADERS)


def script(name: str) -> FileResponse:
    return _file(SCRIPTS, name, "text/javascript; charset=utf-8")


def style(name: str) -> FileResponse:
    return _file(STYLES, name, "text/css; charset=utf-8")


def _file(files: dict[str, Path], name: str, media_type: str) -> FileResponse:
    path = files.get(name)
    if path is None:
        raise FieldError("name", f"no such file: {name[:64]!r}", 404)
    return FileResponse(path, media_type=media_type, headers=STATIC_HEADERS)
