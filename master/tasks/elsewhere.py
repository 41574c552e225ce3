"""What the engine asks of the other masters in multi-master mode (master/cluster/relay.py
does it; None in single-master mode, where nothing of this runs): the slaves attached to
them, and relays of the work that must happen where a slave is attached or a task is driven."""

from __future__ import annotations

from typing import Protocol

from master.domain import Control, Identity


class Elsewhere(Protocol):
    name: str
    """This master's name (its --advertise)."""

    async def slaves(self) -> dict[str, Identity]:
        """The slaves attached to other masters, as routing may trust them."""
        ...

    async def master_of(self, slave: str) -> str | None:
        """The master the slave is attached to now (None: none)."""
        ...

    def dispatch(self, slave: str, execution_id: int) -> None:
        """Have the master the slave is attached to send it this pending execution."""
        ...

    async def kill(self, slaves: dict[int, str], reason: str) -> set[int]:
        """Relay kills of these executions (id -> slave) to their slaves' masters; the ids
        relayed (the others' slaves are attached nowhere)."""
        ...

    async def control(
        self, owner: str, task_id: int, subtask_uuid: str, control: Control, actor: str
    ) -> None:
        """Have the task's owner apply a subtask control, and wait (a while) until it did."""
        ...

    async def settle(self, owner: str, task_id: int) -> None:
        """Have the task's owner settle it."""
        ...
