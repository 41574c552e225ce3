"""Checks on what clients submit: each failure names the request field, before anything is
written."""

from __future__ import annotations

import re

from master.domain import MAX_TIMEOUT_S, CommandSpec
from master.errors import InvalidArgument

NODE_NAME = re.compile(r"^[A-Za-z0-9_.:\-\[\]@]{1,255}$")
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")
USER_NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}\$?$", re.IGNORECASE)


def command(spec: CommandSpec) -> None:
    text("name", spec.name, 255)
    if spec.user and not USER_NAME.match(spec.user):
        raise InvalidArgument(f"not a valid account name: {spec.user!r}", "user")
    if not spec.nodes:
        raise InvalidArgument("at least one node is required", "nodes")
    bad = [n for n in spec.nodes if not NODE_NAME.match(n)]
    if bad:
        raise InvalidArgument(f"not valid node name(s): {', '.join(map(repr, bad))}", "nodes")
    if len(set(spec.nodes)) != len(spec.nodes):
        raise InvalidArgument("a node is listed twice", "nodes")
    if spec.script_id < 0:
        raise InvalidArgument("must be a stored script's id", "script_id")
    if spec.script_id and spec.script.strip():
        raise InvalidArgument("cite a stored script or send one, not both", "script")
    if not spec.script_id and not spec.script.strip():
        raise InvalidArgument("must not be empty", "script")
    if not 1 <= spec.timeout_s <= MAX_TIMEOUT_S:
        raise InvalidArgument(f"must be 1 to {MAX_TIMEOUT_S} seconds", "timeout_seconds")
    for name in spec.variables:
        if not VARIABLE_NAME.match(name):
            raise InvalidArgument(f"not a valid variable name: {name!r}", "variables")


def text(field: str, value: str, limit: int) -> None:
    if not value.strip():
        raise InvalidArgument("must not be empty", field)
    if len(value) > limit:
        raise InvalidArgument(f"must be at most {limit} characters", field)


def file_name(name: str, field: str = "name") -> None:
    """A file server name is one plain path component: nothing can escape the store."""
    bad = (
        not name.strip()
        or len(name) > 255
        or name.strip() != name
        or name.startswith(".")
        or any(c in name for c in "/\\\0")
        or name in (".", "..")
    )
    if bad:
        raise InvalidArgument(f"not a plain file name: {name!r}", field)


def stored_name(src_path: str, dst_path: str, src_at: str, dst_at: str) -> str:
    """The name a copy into the file server gives its file: `dst_path` (OpenC3's `dp`) when it
    is one plain file name. A `dp` ending in `/` (OpenC3's send-file page sends `/tmp/abc/`)
    keeps the source's own file name, as OpenC3 always does."""
    if dst_path.endswith("/"):
        name = src_path.rstrip("/").rsplit("/", 1)[-1]
        file_name(name, src_at)
    else:
        name = dst_path
        file_name(name, dst_at)
    return name
