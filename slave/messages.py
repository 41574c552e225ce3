"""Plain values the slave's parts exchange; only convert.py maps them to and from protobuf.

Commands, the outbox and the daemon see these dataclasses, so nothing below the attach loop
knows gRPC exists (and tests can drive everything without a master).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar


class ScriptType(enum.Enum):
    SHELL = "shell"
    PYTHON = "python"
    PERL = "perl"


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


@dataclass(frozen=True)
class RunRequest:
    command: ClassVar[str] = "run"
    execution_id: int
    script_type: ScriptType | None
    """None when the master sent a type this slave does not know (the run then fails)."""
    script: str
    args: tuple[str, ...] = ()
    user: str = ""
    """Run-as account; empty = the slave's own user."""
    timeout: float | None = None
    """Seconds; None = no limit."""
    env: Mapping[str, str] = field(default_factory=dict)


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


Request = RunRequest | KillRequest
FromMaster = Welcome | RunRequest | KillRequest | OutputAck | ResultAck


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


ToMaster = Hello | Heartbeat | Started | Chunk | Result


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
