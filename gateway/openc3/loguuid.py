"""What the `uuid` of OpenC3's log socket names: a task, or one step of it.

OpenC3's pages open `/slave/<slave>/ws?uuid=<uuid>` with a task's uuid (all its output), or
with a step's log uuid, `<task uuid><step uuid><step type>` (type `cmd` or `scp`) for one step.
Nothing marks where the task's uuid ends: new uuids are 12 characters, older ones 32, and a
caller may have chosen its task's. So `candidates` lists the readings worth asking the master
about, the most likely first -- the whole as a task uuid, then the cuts that leave either part at
a generated length -- and the caller takes the first that names a real task and step. Older
clients write `<task>_<step>[_<type>]`: there the cut is marked, and the step uuid alone names
the step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_UUID = 64
"""A task's or a step's uuid: 1 to 64 letters and digits."""
STEP_KINDS = ("cmd", "scp")
GENERATED_LENGTHS = (12, 32)
"""Lengths of the uuids the master makes (12 now, 32 before)."""
LOG_UUID = re.compile(rf"[A-Za-z0-9]{{1,{2 * MAX_UUID + 3}}}")
FORMAT_ERROR = "uuid format error"
"""OpenC3's words for a uuid that is not 1+ letters and digits."""


class BadLogUuid(ValueError):
    """The uuid can name nothing: not letters and digits, or too long."""


@dataclass(frozen=True)
class LogTarget:
    """One reading of a log uuid: a task, and the step when it names one."""

    task_uuid: str
    step_uuid: str = ""
    kind: str = ""
    """`cmd` or `scp` when a step is named (may be empty in the `_` form)."""


def candidates(uuid: str) -> list[LogTarget]:
    """The readings of `uuid`, most likely first; BadLogUuid when it has none."""
    if "_" in uuid:
        return [_marked(uuid)]
    if not LOG_UUID.fullmatch(uuid):
        raise BadLogUuid(FORMAT_ERROR)
    found = [LogTarget(uuid)] if len(uuid) <= MAX_UUID else []
    found += [step for step in _step_readings(uuid) if step not in found]
    if not found:
        raise BadLogUuid(FORMAT_ERROR)
    return found


def _step_readings(uuid: str) -> list[LogTarget]:
    """The cuts of `<task><step><kind>` that leave the task's or the step's uuid at a generated
    length (none unless `uuid` ends in a step kind)."""
    kind, both = uuid[-3:], uuid[:-3]
    if kind not in STEP_KINDS:
        return []
    cuts = (*GENERATED_LENGTHS, *(len(both) - length for length in GENERATED_LENGTHS))
    readings = [LogTarget(both[:cut], both[cut:], kind) for cut in cuts if 0 < cut < len(both)]
    return [r for r in readings if _fits(r.task_uuid) and _fits(r.step_uuid)]


def _fits(part: str) -> bool:
    return 1 <= len(part) <= MAX_UUID


def _marked(uuid: str) -> LogTarget:
    """`<task>_<step>[_<type>]`, the cut written out."""
    task, _, rest = uuid.partition("_")
    step, _, kind = rest.partition("_")
    reading = LogTarget(task, step, kind)
    words_ok = LOG_UUID.fullmatch(task + step) and kind in ("", *STEP_KINDS)
    if not (words_ok and _fits(task) and _fits(step)):
        raise BadLogUuid(FORMAT_ERROR)
    return reading
