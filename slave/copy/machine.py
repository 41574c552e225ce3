"""What a copy needs from the machine at its end, this one or one over SSH (and what a place over
SFTP needs of that machine), and where a place writes (the same rules on both)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from slave.copy.errors import CopyError
from slave.copy.owner import Owner
from slave.copy.verify import Received
from slave.messages import PlaceRequest

CHUNK = 1 << 20
"""Bytes per read and per upload message (the file service takes at most 1 MiB)."""
T = TypeVar("T")


class Source(Protocol):
    is_dir: bool
    size: int | None
    """Bytes to send; None for a directory (sent as a tar of unknown size)."""

    async def read(self) -> bytes:
        """The next chunk (at most CHUNK bytes); b"" at the end. CopyError if it fails."""
        ...

    async def close(self) -> None: ...


class Destination(Protocol):
    path: str
    """The file written, or the directory an archive unpacks into."""

    async def write(self, chunk: bytes) -> None:
        """Write to the temp file, feeding the Received given at open (in the IO thread)."""
        ...

    async def commit(self, owner: Owner | None, mode: int | None) -> None:
        """Owner and mode, then rename into place (file) or unpack (archive)."""
        ...

    async def discard(self) -> None:
        """Remove the temp file (idempotent, after commit too)."""
        ...


class Machine(Protocol):
    name: str
    """How output lines name it: `m1:/opt/x`."""

    async def source(self, path: str) -> Source:
        """CopyError naming the path when it is missing or unreadable."""
        ...

    async def destination(self, request: PlaceRequest, received: Received) -> Destination: ...

    async def close(self) -> None: ...


class SftpHost(Protocol):
    """What a place over SFTP needs of the machine it writes on (sftp.py's SshMachine)."""

    execution_id: int

    @property
    def sftp(self) -> Any:
        """The connected paramiko SFTP client."""
        ...

    def where(self, path: str) -> str:
        """`node:path`, as messages name it."""
        ...

    async def call(self, blocking: Callable[..., T], *args: Any) -> T:
        """Run a blocking SFTP step off the event loop."""
        ...

    async def run(self, line: str, what: str) -> None:
        """Run a short command on the machine; CopyError unless it exits 0."""
        ...


@dataclass(frozen=True)
class Plan:
    """Where a place writes."""

    final: str
    """The file to write, or the directory to unpack into."""
    parent: str
    """Where the temp file goes (created with its parents when missing)."""
    base: str
    """Starts the temp file's name, so a leftover says what it was."""

    def temp_prefix(self, execution_id: int) -> str:
        return f".{self.base[:100]}.jobfleet-{execution_id}-"


def plan(request: PlaceRequest, path_is_dir: bool) -> Plan:
    """An archive unpacks into `path`; a file goes to `path`, or into it under the source's
    name when `path` is a directory (or ends with /)."""
    path = request.path
    if not path:
        raise CopyError("no destination path")
    if request.blob.archive:
        final = path.rstrip("/") or "/"
    elif path_is_dir or path.endswith("/"):
        final = posixpath.join(path, _plain_name(request.name, path))
    else:
        final = path
    parent = posixpath.dirname(final) or "."
    return Plan(final, parent, posixpath.basename(final) or "root")


def _plain_name(name: str, path: str) -> str:
    if not name:
        raise CopyError(f"{path} is a directory and the source has no name to write it under")
    if "/" in name or name in (".", ".."):
        raise CopyError(f"not a file name: {name!r}")
    return name
