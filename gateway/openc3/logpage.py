"""The HTML page OpenC3's `GET /slave/:slave/tasklog/:uuid` answers a browser: a black page that
opens the log socket and appends each frame (JOB/lib/api/slave.pm).

The page's one script is fixed text, allowed by its hash in the Content-Security-Policy; it finds
the socket next to the page's own URL (`../ws`, so a path prefix such as `/api/job/` is kept) and
reads the uuid from the page. The frames are HTML the socket made safe (`loghtml`); the policy
would stop any other script all the same.
"""

from __future__ import annotations

import base64
import hashlib
import html

from starlette.responses import HTMLResponse

SCRIPT = """
(function () {
  var uuid = document.body.getAttribute("data-uuid");
  var url = new URL("../ws", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.search = "?uuid=" + encodeURIComponent(uuid);
  var log = document.getElementById("message");
  var socket = new WebSocket(url.href);
  socket.onmessage = function (evt) {
    log.innerHTML += evt.data + "<br/>";
  };
})();
"""
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
POLICY = (
    f"default-src 'none'; script-src 'sha256-{_SCRIPT_HASH}'; connect-src 'self'; "
    "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def page(uuid: str) -> HTMLResponse:
    """The page following the log of `uuid` (a task's uuid or a step's log uuid)."""
    body = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>task log</title></head>\n'
        f'<body style="background:#000; color:#FFF" data-uuid="{html.escape(uuid)}">'
        f'<div id="message"></div><script>{SCRIPT}</script></body></html>\n'
    )
    return HTMLResponse(body, headers=HEADERS)


def wants_html(accept: str) -> bool:
    """Whether an Accept header asks for `text/html` (named, not by a wildcard) over JSON."""
    html_q = json_q = 0.0
    for media_range in accept.split(","):
        media_type, _, params = media_range.partition(";")
        quality = _quality(params)
        kind = media_type.strip().lower()
        if kind == "text/html":
            html_q = max(html_q, quality)
        elif kind in ("application/json", "application/*", "*/*"):
            json_q = max(json_q, quality)
    return html_q > 0 and html_q > json_q


def _quality(params: str) -> float:
    """The `q` of a media range's parameters (1 when absent, 0 when malformed)."""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return 0.0
            return quality if 0.0 <= quality <= 1.0 else 0.0
    return 1.0
