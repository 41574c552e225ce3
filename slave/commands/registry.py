"""Which class handles which order from the master."""

from __future__ import annotations

from typing import Any

from slave.commands.base import Command
from slave.commands.kill import KillProcess
from slave.commands.run import RunProcess
from slave.copy.fetch import FetchCopy
from slave.copy.place import PlaceCopy
from slave.ssh.run import RunOverSsh

COMMANDS: dict[str, type[Command[Any]]] = {
    "run": RunProcess,
    "run-ssh": RunOverSsh,
    "kill": KillProcess,
    "copy-fetch": FetchCopy,
    "copy-place": PlaceCopy,
}
"""By `Request.command`: a RunRequest with an SSH target is `run-ssh`; a copy's two halves
work on this machine or, with an SSH target, on that one."""


def lookup(name: str) -> type[Command[Any]]:
    try:
        return COMMANDS[name]
    except KeyError:
        raise KeyError(f"no command {name!r}; known: {', '.join(sorted(COMMANDS))}") from None
