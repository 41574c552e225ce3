"""Names of the file server's files: one plain file name, never a path.

Uploads are named by their part's filename, and a copy from the file server (`src_type`
fileserver) names its source file in `sp`. The master sanitises names too; the gateway refuses
the ones that could only be a mistake or an attack, before anything is sent.
"""

from __future__ import annotations

import re

from gateway.errors import FieldError

MAX_NAME = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def problem(name: str) -> str:
    """Why `name` cannot name a stored file; "" when it can."""
    if not name.strip():
        return "must not be empty"
    if len(name) > MAX_NAME:
        return f"must be at most {MAX_NAME} characters"
    for bad in ("/", "\\"):
        if bad in name:
            return f"must not contain {bad!r}"
    if _CONTROL.search(name):
        return "must not contain NUL or other control characters"
    if ".." in name:
        return "must not contain '..'"
    if name.startswith("."):
        return "must not start with '.'"
    return ""


def checked(name: str, field: str) -> str:
    """`name` if it can name a stored file, else a 400 naming `field` and quoting the name."""
    reason = problem(name)
    if reason:
        raise FieldError(field, f"file name {name!r} {reason}")
    return name
