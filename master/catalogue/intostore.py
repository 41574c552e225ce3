"""Copies from a machine into the project's file server (OpenC3's scp `dst_type: fileserver`,
the reverse of `src_type: fileserver`).

The machine's slave fetches the file into the master's blob store as for any copy (as the
step's account, under the store's size cap); the step then names the blob in the project's file
server (`validate.stored_name`: the name planned), replacing an entry of that name, edited by
the task's submitter.
"""

from __future__ import annotations

from master.domain import Blob, Step
from master.store import files


def keep(project_id: int, step: Step, blob: Blob, submitter: str) -> str:
    """Name the fetched blob `step.dst_path` in the project's file server; why not, else ""."""
    if blob.archive:
        return f"{step.src_path} is a directory: the file server keeps files, not directories"
    files.save(project_id, step.dst_path, blob.sha256, blob.size, submitter)
    return ""
