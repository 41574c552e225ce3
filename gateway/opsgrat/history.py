"""A run's record is history: PUT and PATCH on `/api/job/job/<id>/` change nothing.

A body carrying the row's values back (a client that GETs a row, edits something else and PUTs
it whole) is accepted and answered with the row. A field that says what ran (`CHECKED`) sent
with another value is refused, naming it: a run is not rewritten, a new one is launched (POST).
What a run became or is shown as (`state`, times, `*_name`, `id`, `user`, `cuser`, ...) is
read-only and ignored, as DRF ignores read-only fields; so are keys the row does not have. An
absent, null or empty field is no change (form clients send "" for null). No field is editable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gateway.errors import FieldError
from gateway.forms import Fields

CHECKED = (
    "project",
    "template",
    "schedule",
    "inventory",
    "inventory_str",
    "credential",
    "job_type",
    "module",
    "arguments",
    "limit",
    "forks",
    "verbosity",
    "tags",
    "skip_tags",
    "start_at_task",
    "variables",
    "become_enabled",
    "diff_mode",
    "force_handlers",
    "node",
)


def check_unchanged(current: Mapping[str, Any], fields: Fields) -> None:
    """Refuse the first field of `CHECKED` sent with a value the run did not have."""
    for key in CHECKED:
        sent = fields.get(key)
        if sent is None or sent == "":
            continue
        if _text(sent) != _text(current.get(key)):
            shown = json.dumps(current.get(key), ensure_ascii=False)
            why = f"a run is not rewritten: launch a new one (this run's {key} is {shown})"
            raise FieldError(key, why)


def _text(value: Any) -> str:
    """A value as a form would send it: numbers and 0/1 as digits, lists comma-joined, objects
    as JSON text, null as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
