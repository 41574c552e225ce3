"""OpenC3's log uuids: what a log route's `uuid` may name, read without asking the master.

OpenC3's pages open a task's log with the task uuid, and one step's log with its `loguuid`:
task uuid + step uuid + step type (`cmd`, `scp`), written together. Older clients put `_`
between the parts. Nothing marks where the task uuid ends, so `readings` lists each way the
text can be cut, most likely first, and the route takes the first that names a task (and, for a
step, a step of that task). jobfleet's step uuids are 12 letters and digits (32 hex digits
before), so only those cuts are tried; a task uuid may be 1-64 characters (a caller's own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.errors import FieldError

STEP_TYPES = ("cmd", "scp")
STEP_UUID_LENGTHS = (12, 32)
PART = re.compile(r"[A-Za-z0-9]{1,64}")
LONGEST = 64 + 1 + 64 + 1 + 3


@dataclass(frozen=True)
class LogUuid:
    """A task's log (`step` empty) or one step's."""

    task: str
    step: str = ""
    step_type: str = ""


def readings(text: str, field: str = "uuid") -> list[LogUuid]:
    """Every well-formed reading of `text`, most likely first; a 400 naming `field` when there
    is none (so a malformed uuid never reaches the master)."""
    text = text.strip()
    found = [r for r in _cuts(text) if PART.fullmatch(r.task) and _step_ok(r)]
    if len(text) > LONGEST or not found:
        raise FieldError(
            field,
            "must be a task uuid (1-64 letters and digits), or task uuid + step uuid + cmd|scp",
        )
    return list(dict.fromkeys(found))


def _cuts(text: str) -> list[LogUuid]:
    if "_" in text:
        task, _, rest = text.partition("_")
        step, _, step_type = rest.partition("_")
        return [LogUuid(task, step, step_type)]
    cuts = [LogUuid(text)]
    body, step_type = text[:-3], text[-3:]
    if step_type in STEP_TYPES:
        cuts += [LogUuid(body[:-n], body[-n:], step_type) for n in STEP_UUID_LENGTHS]
    return cuts


def _step_ok(reading: LogUuid) -> bool:
    """No step at all, or a step uuid and a known type (an older client's `_` form may omit
    the type: the step uuid alone names the step)."""
    if not reading.step:
        return not reading.step_type
    return bool(PART.fullmatch(reading.step)) and reading.step_type in ("", *STEP_TYPES)
