"""Plain values the slave's parts exchange; only convert.py maps them to and from protobuf.

Commands, the outbox and the daemon see these dataclasses, so nothing below the attach loop
knows gRPC exists (and tests can drive everything without a master).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple


class ScriptType(enum.Enum):
    SHELL = "shell"
    PYTHON = "python"
    PERL = "perl"


class HostKeyPolicy(enum.Enum):
    """What an SSH connect does with a host key missing from known_hosts."""

    STRICT = "strict"
    """Refuse the host."""
    ACCEPT_NEW = "accept-new"
    """Record it and go on; a *changed* key is refused either way."""


@dataclass(frozen=True)
class Secret:
    """A value that must never reach a log line, a reason or a repr."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


class Status(enum.Enum):
    """Final states a slave reports; LOST and PENDING are the master's words, never ours."""

    SUCCESS = "success"
    FAIL = "fail"
    TIMEOUT = "timeout"
    KILLED = "killed"


# --- from the master ---------------------------------------------------------------------


@dataclass(frozen=True)
class Welcome:
    heartbeat_interval: float | None
    """Seconds between heartbeats the master asks for; None = not given, use our default."""
    credential: Secret | None = None
    """Set when this attach enrolled the slave: keep it and present it from now on."""
    projects: tuple[int, ...] = ()
    """The projects the master has this slave serve; empty = every project."""
    max_upload_bytes: int = 0
    """The largest blob the master's file store takes; 0 = not said."""


@dataclass(frozen=True)
class SshTarget:
    """A machine without a slave, reached over SSH from this one."""

    node: str
    """The node's name, for logs and reasons."""
    host: str
    port: int = 22
    user: str = ""
    private_key: Secret | None = None
    """Private key text (any type paramiko reads); None = password only."""
    password: Secret | None = None
    passphrase: Secret | None = None
    """Decrypts private_key when it is encrypted."""
    host_key_policy: HostKeyPolicy | None = None
    """None = the slave's configured default."""
    connect_timeout: float = 10.0

    @property
    def label(self) -> str:
        """How logs and reasons name it: `ssh web3 (10.0.0.3:22)`."""
        return f"ssh {self.node or self.host} ({self.host}:{self.port})"


@dataclass(frozen=True)
class RunRequest:
    execution_id: int
    script_type: ScriptType | None
    """None when the master sent a type this slave does not know (the run then fails)."""
    script: str
    args: tuple[str, ...] = ()
    user: str = ""
    """Run-as account; empty = the slave's default account (the first of --run-as)."""
    timeout: float | None = None
    """Seconds; None = no limit."""
    env: Mapping[str, str] = field(default_factory=dict)
    ssh: SshTarget | None = None
    """Set: run on that machine over SSH; None: run on this one."""
    project_id: int = 0
    """Whose command it is; a slave refuses a project it does not serve."""

    @property
    def command(self) -> str:
        """The registry name of the class that runs it."""
        return "run" if self.ssh is None else "run-ssh"


@dataclass(frozen=True)
class Blob:
    """Content in the master's file store, addressed by its SHA-256."""

    sha256: str
    size: int
    archive: bool = False
    """A tar of a directory, to be unpacked at the destination."""


@dataclass(frozen=True)
class FetchRequest:
    """Read `path` (a file, or a directory sent as a tar) and upload it to the file store."""

    command: ClassVar[str] = "copy-fetch"
    execution_id: int
    path: str
    ssh: SshTarget | None = None
    """Set: the path is on that machine, reached over SSH; None: on this one."""
    timeout: float | None = None
    user: str = ""
    """The local account the copy reads as; empty = the slave's default account."""
    project_id: int = 0


@dataclass(frozen=True)
class PlaceRequest:
    """Download `blob` from the file store and write it (or unpack it) at `path`."""

    command: ClassVar[str] = "copy-place"
    execution_id: int
    blob: Blob
    path: str
    name: str = ""
    """The source's base name: an existing directory at `path` receives the file under it."""
    chown: str = ""
    """user[:group]; empty = leave (or `user` for a local copy)."""
    chmod: str = ""
    """Octal, e.g. 0644; empty = leave."""
    ssh: SshTarget | None = None
    timeout: float | None = None
    user: str = ""
    """The local account a place writes as (owner of what it writes when `chown` is empty);
    empty = the slave's default account."""
    project_id: int = 0


@dataclass(frozen=True)
class KillRequest:
    command: ClassVar[str] = "kill"
    execution_id: int
    reason: str = ""


@dataclass(frozen=True)
class OutputAck:
    execution_id: int
    seqs: tuple[int, ...]


@dataclass(frozen=True)
class ResultAck:
    execution_id: int


@dataclass(frozen=True)
class TerminalRequest:
    """Open a pty running a login shell for the master, relayed on a SlaveTerminal stream."""

    session_id: str
    key: Secret = field(repr=False)
    """One-time: proves to the master that the joining slave is the one ordered."""
    project_id: int = 0
    user: str = ""
    """Local run-as account; empty = the slave's default account."""
    ssh: SshTarget | None = None
    cols: int = 80
    rows: int = 24
    term: str = "xterm-256color"


CopyRequest = FetchRequest | PlaceRequest
Request = RunRequest | KillRequest | CopyRequest
FromMaster = Welcome | Request | OutputAck | ResultAck | TerminalRequest


# --- to the master -----------------------------------------------------------------------


@dataclass(frozen=True)
class Hello:
    name: str
    version: str
    hostname: str
    addresses: tuple[str, ...]
    running: tuple[int, ...]
    finished: tuple[int, ...]
    join_token: str = field(default="", repr=False)
    """Enrols a slave the master does not know yet: the join token or a project token."""
    credential: str = field(default="", repr=False)
    """This slave's own credential, from its enrolment."""
    instance: str = ""
    """Random per process: the master tells a re-attach from another process by it."""
    projects: tuple[int, ...] = ()
    """Projects served (--projects); empty = every project the enrolment allows."""
    run_as: tuple[str, ...] = ()
    """Accounts local commands may run as (--run-as); the first is the default."""


@dataclass(frozen=True)
class Heartbeat:
    running: int


@dataclass(frozen=True)
class Started:
    execution_id: int
    pid: int
    started_at: dt.datetime


@dataclass(frozen=True)
class Chunk:
    execution_id: int
    seq: int
    data: bytes = field(repr=False)
    stderr: bool = False
    """From the command's stderr; False: its stdout, or the slave's own lines (copies)."""


class Piece(NamedTuple):
    """Output as it came off a command, before it is cut into chunks: one stream's bytes."""

    stderr: bool
    data: bytes
    """b"" once both streams ended."""


@dataclass(frozen=True)
class Result:
    execution_id: int
    status: Status
    exit_code: int
    reason: str
    chunk_count: int
    started_at: dt.datetime | None
    """None when the command never started."""
    finished_at: dt.datetime
    fetched: Blob | None = None
    """A fetch copy's upload: what the file store holds now."""
    pid: int = 0
    """The process the run started (0: none, or not said): with `started_at`, the start facts
    a result carries when its Started notice never left (outbox.py)."""


ToMaster = Hello | Heartbeat | Started | Chunk | Result


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
