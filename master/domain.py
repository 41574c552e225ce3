"""Plain values the engine works with: status words and the specs of what to run.

Statuses are stored as these words (readable in SQL); convert.py maps them to the proto enums.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class TaskStatus(enum.StrEnum):
    INIT = "init"
    RUNNING = "running"
    SUCCESS = "success"
    FAIL = "fail"
    KILLED = "killed"
    DECISION = "decision"
    WAITING = "waiting"


class SubtaskStatus(enum.StrEnum):
    INIT = "init"
    RUNNING = "running"
    SUCCESS = "success"
    FAIL = "fail"
    DECISION = "decision"
    IGNORE = "ignore"
    KILLED = "killed"


class Control(enum.StrEnum):
    NEXT = "next"
    FAIL = "fail"
    RUNNING = "running"
    IGNORE = "ignore"


class ExecutionStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAIL = "fail"
    TIMEOUT = "timeout"
    KILLED = "killed"
    LOST = "lost"

    @property
    def final(self) -> bool:
        return self not in (ExecutionStatus.PENDING, ExecutionStatus.RUNNING)


class ScriptType(enum.StrEnum):
    SHELL = "shell"
    PYTHON = "python"
    PERL = "perl"


FINAL_TASK = frozenset({TaskStatus.SUCCESS, TaskStatus.FAIL, TaskStatus.KILLED})
DEFAULT_TIMEOUT_S = 60
MAX_TIMEOUT_S = 7 * 24 * 3600


@dataclass(frozen=True)
class CommandSpec:
    """An ad-hoc command over some nodes, as submitted (before variable substitution)."""

    project_id: int
    name: str
    submitter: str
    user: str
    nodes: tuple[str, ...]
    script_type: ScriptType
    script: str
    args: tuple[str, ...] = ()
    timeout_s: int = DEFAULT_TIMEOUT_S
    variables: dict[str, str] = field(default_factory=dict)
    call_type: str = "api"


@dataclass(frozen=True)
class RunOrder:
    """What a slave needs to run one execution; `ssh` set = on that machine over SSH."""

    execution_id: int
    script_type: ScriptType
    script: str
    args: tuple[str, ...]
    user: str
    timeout_s: int
    ssh: Any = None  # master.routing.SshTarget
    project_id: int = 0
    """Whose command it is: a slave refuses projects it does not serve."""


@dataclass(frozen=True)
class Blob:
    """Content in the master's file store; `archive` = a tar of a directory."""

    sha256: str
    size: int
    archive: bool = False

    def encode(self) -> str:
        return f"{self.sha256}:archive" if self.archive else self.sha256

    @staticmethod
    def decode(text: str, size: int) -> Blob | None:
        if not text:
            return None
        sha, _, kind = text.partition(":")
        return Blob(sha, size, kind == "archive")


@dataclass(frozen=True)
class CopyOrder:
    """One half of a copy: fetch `path` into the file store, or place `blob` at `path`."""

    execution_id: int
    timeout_s: int
    path: str
    blob: Blob | None = None  # None = fetch
    name: str = ""
    chown: str = ""
    chmod: str = ""
    ssh: Any = None  # master.routing.SshTarget
    user: str = ""
    """The local account the copy reads and writes as; empty = the slave's default."""
    project_id: int = 0


@dataclass(frozen=True)
class SlaveResult:
    """An execution's final report from its slave."""

    execution_id: int
    status: ExecutionStatus
    exit_code: int
    reason: str
    chunk_count: int
    fetched: Blob | None = None


@dataclass(frozen=True)
class Chunk:
    execution_id: int
    seq: int
    data: bytes
