"""Which class handles which order from the master."""

from __future__ import annotations

from typing import Any

from slave.commands.base import Command
from slave.commands.kill import KillProcess
from slave.commands.run import RunProcess

COMMANDS: dict[str, type[Command[Any]]] = {
    "run": RunProcess,
    "kill": KillProcess,
}


def lookup(name: str) -> type[Command[Any]]:
    try:
        return COMMANDS[name]
    except KeyError:
        raise KeyError(f"no command {name!r}; known: {', '.join(sorted(COMMANDS))}") from None
