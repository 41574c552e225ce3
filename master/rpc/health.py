"""gRPC health follows the database: every service (and the server's "") NOT_SERVING while the
master cannot reach it, SERVING again once it can (master/cluster/health.py says which)."""

from __future__ import annotations

import asyncio
import logging

from grpc_health.v1 import health, health_pb2

logger = logging.getLogger(__name__)
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class DbHealth:
    def __init__(self, servicer: health.aio.HealthServicer, services: list[str]) -> None:
        self.servicer = servicer
        self.services = ["", *services]
        self.serving = True
        self._pending: set[asyncio.Task[None]] = set()

    def report(self, serving: bool) -> None:
        """Whether the database answered this time; the statuses change with the outcome."""
        if serving == self.serving:
            return
        self.serving = serving
        if serving:
            logger.warning("database reachable again: health SERVING")
        else:
            logger.warning("database unreachable: health NOT_SERVING")
        task = asyncio.ensure_future(self._set(SERVING if serving else NOT_SERVING))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _set(self, status: health_pb2.HealthCheckResponse.ServingStatus.ValueType) -> None:
        for name in self.services:
            await self.servicer.set(name, status)
