"""Stored scripts a cmd step cites (OpenC3's `scripts_type: cite`, the id in `scripts_cont`).

A step may cite a script of its own project or of project 0, the shared one. Another project's
script is refused exactly as a script that does not exist, so a cite tells nothing of other
projects. The script is read when the step starts, as OpenC3 reads it when the step runs: an edit
made before then is what runs, and a script deleted before then fails the step with the reason.
"""

from __future__ import annotations

from master.db.models import Script
from master.domain import CitedScript, ScriptType
from master.errors import InvalidArgument
from master.store import catalogue

SHARED_PROJECT = 0
"""The project whose scripts every project may cite (OpenC3's tree 0)."""


def not_citable(project_id: int, script_id: int) -> str:
    """The one answer for a script that is not there and for another project's script."""
    return f"no script {script_id} in project {project_id} or the shared project {SHARED_PROJECT}"


def check(project_id: int, script_id: int, at: str) -> Script:
    """The script a step about to be saved or submitted cites; refused naming `at` else."""
    row = catalogue.citable_script(project_id, SHARED_PROJECT, script_id)
    if row is None:
        raise InvalidArgument(not_citable(project_id, script_id), at)
    return row


def read(project_id: int, script_id: int) -> CitedScript | str:
    """The cited script as it is stored now, or why a starting step cannot run it."""
    row = catalogue.citable_script(project_id, SHARED_PROJECT, script_id)
    if row is None:
        return f"the cited script is gone: {not_citable(project_id, script_id)}"
    return CitedScript(ScriptType(row.type), row.content)
