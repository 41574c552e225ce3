"""Helpers for the SSH tests: build a run-ssh command with a collecting sink, look at processes.

(The sshd fixture is the tests.sshd plugin; fixtures for these tests are in conftest.py.)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from slave.commands.base import CommandContext, CommandSettings
from slave.messages import RunRequest, ScriptType, SshTarget
from slave.ssh.pool import SshPool
from slave.ssh.run import RunOverSsh
from tests.unit.slave.slavetest import ListSink


def ssh_command(
    pool: SshPool | None,
    target: SshTarget,
    script: str,
    settings: CommandSettings,
    *,
    execution_id: int = 1,
    type: ScriptType | None = ScriptType.SHELL,
    args: tuple[str, ...] = (),
    timeout: float | None = None,
    env: dict[str, str] | None = None,
    user: str = "",
) -> tuple[RunOverSsh, ListSink]:
    sink = ListSink()
    request = RunRequest(execution_id, type, script, args, user, timeout, env or {}, ssh=target)
    context = CommandContext(sink, settings, lambda eid: None, pool)
    return RunOverSsh(request, context), sink


async def run_ssh(pool: SshPool, target: SshTarget, script: str, **kwargs: Any) -> ListSink:
    """Run to the end; returns the sink."""
    settings = kwargs.pop("settings")
    command, sink = ssh_command(pool, target, script, settings, **kwargs)
    await command.start()
    return sink


def running(pid: int) -> bool:
    """True while pid is a live process (a zombie waiting for its reaper does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except FileNotFoundError:
        return False
    return stat.rsplit(b")", 1)[1].split()[0] != b"Z"


def read_pids(path: Path) -> list[int]:
    return [int(word) for word in path.read_text().split()] if path.exists() else []


def exec_scripts_left(execution_id: int) -> list[str]:
    """The wrapper's temp files for an execution still in /tmp (the sshd is local)."""
    prefix = f"jobfleet-exec-{execution_id}-"
    return [name for name in os.listdir("/tmp") if name.startswith(prefix)]
