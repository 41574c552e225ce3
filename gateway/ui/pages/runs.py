"""The console's runs pages: the task list."""

from __future__ import annotations

import grpc
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.ui.render import page, refused
from gateway.ui.words import TASK_STATUS
from jobfleet.v1 import task_pb2


async def runs_page(request: Request) -> Response:
    master = request.state.master
    try:
        reply = await master.task.ListTasks(
            task_pb2.ListTasksRequest(limit=50), timeout=master.timeout
        )
    except grpc.aio.AioRpcError as exc:
        return refused(request, exc)
    return page(request, "runs.html", tasks=reply.tasks, total=reply.total, words=TASK_STATUS)


routes: list[BaseRoute] = [Route("/runs", runs_page, methods=["GET"], name="runs")]
