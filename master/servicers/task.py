"""TaskService: submit, inspect, kill and follow tasks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypeAlias

from jobfleet.v1 import task_pb2, task_pb2_grpc

from master import convert
from master.engine import TaskEngine
from master.queries import LogPiece, TaskQueries, TaskView
from master.servicers.errors import streaming, unary

Context: TypeAlias = Any  # grpc.aio.ServicerContext (grpcio has no type information)


class TaskServicer(task_pb2_grpc.TaskServiceServicer):
    def __init__(self, engine: TaskEngine, queries: TaskQueries) -> None:
        self.engine = engine
        self.queries = queries

    @unary
    async def SubmitCommand(
        self, request: task_pb2.SubmitCommandRequest, context: Context
    ) -> task_pb2.SubmitCommandResponse:
        task = await self.engine.submit_command(convert.command_spec(request))
        view = await self.queries.get(0, task.uuid)
        return task_pb2.SubmitCommandResponse(task=convert.task(view.task, view.executions))

    @unary
    async def GetTask(
        self, request: task_pb2.GetTaskRequest, context: Context
    ) -> task_pb2.GetTaskResponse:
        view = await self.queries.get(request.project_id, request.uuid)
        return task_pb2.GetTaskResponse(task=convert.task(view.task, view.executions))

    @unary
    async def ListTasks(
        self, request: task_pb2.ListTasksRequest, context: Context
    ) -> task_pb2.ListTasksResponse:
        rows, total, slaves = await self.queries.search(convert.task_filter(request))
        listed = [convert.task(r, slaves=slaves[r.id]) for r in rows]
        return task_pb2.ListTasksResponse(tasks=listed, total=total)

    @unary
    async def KillTask(
        self, request: task_pb2.KillTaskRequest, context: Context
    ) -> task_pb2.KillTaskResponse:
        await self.engine.kill_task(request.project_id, request.uuid, request.reason)
        view = await self.queries.get(request.project_id, request.uuid)
        return task_pb2.KillTaskResponse(task=convert.task(view.task, view.executions))

    @unary
    async def ReadLog(
        self, request: task_pb2.ReadLogRequest, context: Context
    ) -> task_pb2.ReadLogResponse:
        read = await self.queries.read_log(
            request.execution_id, request.from_seq, request.max_bytes
        )
        return task_pb2.ReadLogResponse(
            data=read.data, next_seq=read.next_seq, complete=read.complete
        )

    @streaming
    async def FollowTask(
        self, request: task_pb2.FollowTaskRequest, context: Context
    ) -> AsyncIterator[task_pb2.FollowTaskResponse]:
        async for event in self.queries.follow(request.project_id, request.uuid):
            if isinstance(event, LogPiece):
                data = task_pb2.LogData(
                    execution_id=event.execution.id, node=event.execution.node, data=event.data
                )
                yield task_pb2.FollowTaskResponse(output=data)
            elif isinstance(event, TaskView):
                yield task_pb2.FollowTaskResponse(task=convert.task(event.task, event.executions))
            else:
                yield task_pb2.FollowTaskResponse(execution=convert.execution(event))
