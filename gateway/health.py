"""GET /health: is the master serving? Never needs a token (load balancers probe it)."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway import envelope
from gateway.openapi import describe
from gateway.upstream import GatewayState

PROBE_TIMEOUT = 3.0


@describe(open=True, data={"type": "object", "properties": {"master": {"const": "SERVING"}}})
async def health(request: Request[GatewayState]) -> Response:
    """SERVING -> 200; anything else, the master unreachable included, -> 503."""
    master = request.state["master"]
    ask = health_pb2.HealthCheckRequest(service="")
    try:
        reply = await master.health.Check(ask, timeout=min(master.timeout, PROBE_TIMEOUT))
    except grpc.aio.AioRpcError as exc:
        return envelope.fail(f"master: {exc.code().name}: {exc.details() or ''}", 503)
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        return envelope.fail(f"master: {status}", 503)
    return envelope.ok({"master": status})


routes: list[BaseRoute] = [Route("/health", health, methods=["GET"])]
