"""The terminal socket's frames (`/cmd/{projectid}/socket`).

Up (browser -> gateway): the first message is a JSON text frame, the hello
`{"ticket": "<t>", "cols": 80, "rows": 24, "actor": "<shown in line mode's prompt>"}` (no
`ticket`: the socket's own credentials open what its query asks); then binary frames are
keystrokes, and text frames JSON control: `{"type": "resize", "cols": C, "rows": R}`.
Down: binary frames are terminal output; text frames JSON control:
`{"type": "opened", "session", "mode", "nodes", "user", "idle_timeout", "recorded"}` once,
`{"type": "closed", "exit_code", "reason"}` last (then the socket closes, 1000), or
`{"type": "error", "info"}` when refused or broken (then it closes, 1008 / 1011).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from gateway.errors import FieldError
from jobfleet.v1 import terminal_pb2

MAX_TICKET = 512
MAX_SIZE = 1000
_UNSHOWN = re.compile(r"[^\w.@-]")
MODE_WORDS = {terminal_pb2.TERMINAL_MODE_SHELL: "shell", terminal_pb2.TERMINAL_MODE_LINES: "lines"}


@dataclass(frozen=True)
class Hello:
    """The socket's first message."""

    ticket: str
    cols: int
    rows: int
    actor: str  # display only (the prompt): the master records who the ticket says


def hello(text: str | None) -> Hello:
    """The first message, read; a malformed one raises naming its key."""
    given = _json(text, "hello")
    ticket = given.get("ticket") or ""
    if not isinstance(ticket, str) or len(ticket) > MAX_TICKET:
        raise FieldError("ticket", f"must be a string of at most {MAX_TICKET} characters")
    actor = given.get("actor") or ""
    actor = _UNSHOWN.sub("", actor)[:64] if isinstance(actor, str) else ""
    return Hello(ticket, _size(given, "cols", 80), _size(given, "rows", 24), actor)


def resize(text: str | None) -> terminal_pb2.TerminalSize | None:
    """A control frame from the browser: a resize, or None for anything else."""
    given = _json(text, "control")
    if given.get("type") != "resize":
        return None
    return terminal_pb2.TerminalSize(cols=_size(given, "cols", 80), rows=_size(given, "rows", 24))


def opened(frame: terminal_pb2.TerminalOpened) -> str:
    return json.dumps(
        {
            "type": "opened",
            "session": frame.session_id,
            "mode": MODE_WORDS.get(frame.mode, "shell"),
            "nodes": list(frame.nodes),
            "user": frame.user,
            "idle_timeout": frame.idle_timeout_seconds,
            "recorded": frame.recorded,
        }
    )


def closed(exit_code: int, reason: str) -> str:
    return json.dumps({"type": "closed", "exit_code": exit_code, "reason": reason})


def error(info: str) -> str:
    return json.dumps({"type": "error", "info": info})


def _json(text: str | None, name: str) -> dict[str, Any]:
    try:
        given = json.loads(text or "")
    except ValueError:
        given = None
    if not isinstance(given, dict):
        raise FieldError(name, "must be a JSON object (a text frame)")
    return given


def _size(given: dict[str, Any], name: str, default: int) -> int:
    value = given.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SIZE:
        raise FieldError(name, f"must be an integer between 1 and {MAX_SIZE}")
    return value
