"""The command base class and the sink commands report through.

A command knows nothing of gRPC: it gets a plain request and reports started / output /
finished to an OutputSink (the daemon's feeds the outbox; tests collect lists).
"""

from __future__ import annotations

import abc
from collections.abc import AsyncGenerator, AsyncIterable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from slave.commands.scope import Scope
from slave.messages import Blob, Chunk, Request, Result, Started

if TYPE_CHECKING:
    from slave.commands.cgroups import CgroupRoot
    from slave.ssh.pool import SshPool

R = TypeVar("R", bound=Request)


class OutputSink(Protocol):
    def started(self, started: Started) -> None:
        """The process runs (best effort: not resent after a reconnect)."""

    async def output(self, chunk: Chunk) -> None:
        """Take one chunk; may wait (backpressure), which pauses reading the command's pipe."""

    def finished(self, result: Result) -> None:
        """The last word on an execution, after all of its chunks."""


class FileStoreError(Exception):
    """The master's file store refused or broke a transfer; the text says why, for a reason."""


class TransferBroken(FileStoreError):
    """The link to the master broke mid-transfer (the master restarted, the network dropped),
    as opposed to a refusal: the transfer is worth taking up again once the link is back."""


class FileStore(Protocol):
    """The master's content-addressed file store, as copies see it (no gRPC in sight). A call
    made while the link is down waits for it to be up again."""

    async def upload(self, execution_id: int, archive: bool, chunks: AsyncIterable[bytes]) -> Blob:
        """Store the bytes; the Blob the store answered. FileStoreError if it refused,
        TransferBroken if the link broke first (the store then keeps nothing)."""
        ...

    def download(
        self, sha256: str, execution_id: int = 0, offset: int = 0
    ) -> AsyncGenerator[bytes, None]:
        """The blob's bytes from `offset` on, in chunks, for the place `execution_id`;
        FileStoreError (while iterating) if it cannot, TransferBroken if the link broke."""
        ...


@dataclass(frozen=True)
class CommandSettings:
    work_dir: Path
    kill_grace: float = 5.0
    flush_bytes: int = 1 << 20
    flush_interval: float = 0.05
    drain_timeout: float = 2.0
    slave_name: str = ""
    """How output lines name this machine (copies: `to s1:/opt/x`); empty = the host name."""
    scope: Scope = field(default_factory=Scope)
    """The accounts local work may run as and the projects served (default: the slave's
    own account, or nobody when it is root; every project)."""


@dataclass(frozen=True)
class CommandContext:
    """What a command may use besides its request."""

    sink: OutputSink
    settings: CommandSettings
    find: Callable[[int], Command[Any] | None]
    """The running command that owns an execution id, if any (kill needs it)."""
    ssh: SshPool | None = None
    """Connections and the session cap for runs over SSH; None = this slave runs none."""
    files: FileStore | None = None
    """The master's file store, for copies; None = this slave copies nothing."""
    cgroups: CgroupRoot | None = None
    """Where runs get a cgroup each; None = process groups and the run mark only."""


class Command(abc.ABC, Generic[R]):
    owns_execution: ClassVar[bool] = False
    """True when the command *is* its execution (run); False when it acts on one (kill)."""

    def __init__(self, request: R, context: CommandContext) -> None:
        self.request = request
        self.context = context

    @property
    def execution_id(self) -> int:
        return self.request.execution_id

    @abc.abstractmethod
    async def start(self) -> None:
        """Do the work; returns when the command is over and has reported everything."""

    def interrupt(self, reason: str) -> None:
        """Ask the command to stop early; commands with nothing to stop ignore it."""
