"""The exception a copy step raises when the copy cannot go on, and OS errors made into one."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


class CopyError(Exception):
    """`no such file or directory: m1:/srv/app.tar`: the text is the execution's reason."""


def reason_of(exc: OSError) -> str:
    """`no such file or directory`; the error's own text when it has no errno (an SFTP
    server's `Failure`)."""
    return os.strerror(exc.errno).lower() if exc.errno else str(exc) or "failed"


def path_error(exc: OSError, where: str) -> CopyError:
    """`no such file or directory: /x/y`."""
    return CopyError(f"{reason_of(exc)}: {where}")


@contextlib.contextmanager
def at(where: str) -> Iterator[None]:
    """OS and SFTP errors about a path become CopyErrors naming it (a timeout goes on as is:
    it is about the connection, not the path)."""
    try:
        yield
    except TimeoutError:
        raise
    except OSError as exc:
        raise path_error(exc, where) from None
