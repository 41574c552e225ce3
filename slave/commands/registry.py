"""Which class handles which order from the master."""

from __future__ import annotations

from typing import Any

from slave.commands.base import Command
from slave.commands.kill import KillProcess
from slave.commands.run import RunProcess
from slave.ssh.run import RunOverSsh

COMMANDS: dict[str, type[Command[Any]]] = {
    "run": RunProcess,
    "run-ssh": RunOverSsh,
    "kill": KillProcess,
}
"""By `Request.command`: a RunRequest with an SSH target is `run-ssh`."""


def lookup(name: str) -> type[Command[Any]]:
    try:
        return COMMANDS[name]
    except KeyError:
        raise KeyError(f"no command {name!r}; known: {', '.join(sorted(COMMANDS))}") from None
