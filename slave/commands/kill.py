"""kill: end a running execution (its command escalates SIGTERM -> SIGKILL on the group)."""

from __future__ import annotations

import logging

from slave.commands.base import Command
from slave.messages import KillRequest

logger = logging.getLogger(__name__)


class KillProcess(Command[KillRequest]):
    async def start(self) -> None:
        target = self.context.find(self.execution_id)
        if target is None:
            logger.debug("exec %d: kill ignored, not running here", self.execution_id)
            return
        target.interrupt(self.request.reason or "killed")
