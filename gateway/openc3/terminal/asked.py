"""What `GET /cmd/{projectid}?node=...` asks to open, read from its query (the page's and the
socket's): OpenC3's `node`, `sudo`, `bash`, plus `group`; `tail` is refused, `siteaddr`
ignored. Format only: the master decides whether the nodes, group and account are the
project's and whether the caller may open them.
"""

from __future__ import annotations

import re

from gateway import forms, schemas
from gateway.errors import FieldError
from gateway.forms import Fields
from jobfleet.v1 import terminal_pb2

NODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
SUDO = re.compile(r"[A-Za-z][0-9A-Za-z_-]{1,63}")
"""OpenC3's `sudo` check (`^[a-zA-Z][0-9a-zA-Z_-]+$`), capped."""
MAX_NODES = 1000
INT64_MAX = forms.INT64_MAX

QUERY: dict[str, schemas.Schema] = {
    "node": {
        "type": "string",
        "pattern": f"^{NODE.pattern}(,{NODE.pattern})*$",
        "maxLength": 65535,
        "description": "machines, comma-separated (exactly one with `bash=1`)",
    },
    "group": schemas.integer(
        1, INT64_MAX, description="line mode: a node group of the project, its machines added"
    ),
    "sudo": schemas.matching(
        SUDO.pattern, description="the execution account; absent = the project's default"
    ),
    "bash": schemas.flag(description="a real shell on one machine; else line mode"),
    "siteaddr": schemas.text(description="OpenC3's; ignored (the page is on this origin)"),
}


def terminal_open(query: Fields, project_id: int, actor: str) -> terminal_pb2.TerminalOpen:
    """The open a query asks for; bad input raises naming its key."""
    if forms.flag(query, "tail"):
        raise FieldError("tail", "not served: follow a task's output on /slave/{slave}/ws")
    nodes = _nodes(query)
    group = forms.integer(query, "group", default=0, low=1, high=INT64_MAX)
    shell = forms.flag(query, "bash")
    if shell and (group or len(nodes) != 1):
        raise FieldError("node", "bash=1 opens a shell on exactly one machine: name one")
    mode = terminal_pb2.TERMINAL_MODE_SHELL if shell else terminal_pb2.TERMINAL_MODE_LINES
    return terminal_pb2.TerminalOpen(
        project_id=project_id,
        nodes=nodes,
        group_id=group,
        user=forms.matching(query, "sudo", SUDO, "an account name (letters, digits, _ and -)"),
        mode=mode,
        actor=actor,
    )


def _nodes(query: Fields) -> list[str]:
    names = forms.name_list(query, "node")
    for name in names:
        if not NODE.fullmatch(name):
            raise FieldError("node", f"{name[:64]!r} is no machine name")
    if len(names) > MAX_NODES:
        raise FieldError("node", f"at most {MAX_NODES} machines")
    return names
