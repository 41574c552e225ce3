"""TaskService: submit, inspect, kill and follow tasks."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator

from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc
from master.rpc.context import Context
from master.rpc.convert import catalog as convert_catalog
from master.rpc.convert import runlog as convert_runlog
from master.rpc.convert import task as convert_task
from master.rpc.convert.timestamps import from_unix
from master.rpc.errors import streaming, unary
from master.rpc.rendered import RenderedAnswers
from master.tasks import conditions
from master.tasks.engine import TaskEngine
from master.tasks.launch import Launched
from master.tasks.notes import TaskNotes
from master.tasks.queries import LogPiece, TaskQueries, TaskView
from master.tasks.runlogs import RunLogs


class TaskServicer(task_pb2_grpc.TaskServiceServicer):
    def __init__(
        self, engine: TaskEngine, queries: TaskQueries, logs: RunLogs, notes: TaskNotes
    ) -> None:
        self.engine = engine
        self.queries = queries
        self.logs = logs
        self.notes = notes
        self.answers = RenderedAnswers()

    @unary
    async def SubmitCommand(
        self, request: task_pb2.SubmitCommandRequest, context: Context
    ) -> task_pb2.SubmitCommandResponse:
        started = await self.engine.start_command(convert_task.command_spec(request))
        view = await self._started(started)
        return task_pb2.SubmitCommandResponse(task=self._task(view, started))

    @unary
    async def SubmitCopy(
        self, request: task_pb2.SubmitCopyRequest, context: Context
    ) -> task_pb2.SubmitCopyResponse:
        step = convert_catalog.step(common_pb2.Step(name=request.name, scp=request.scp), "scp")
        started = await self.engine.start_copy(
            request.project_id,
            request.name,
            request.submitter or "api",
            request.call_type or "api",
            step,
            dict(request.variables),
            convert_task.run_mode(request.options),
            convert_task.run_options(request.options),
        )
        view = await self._started(started)
        return task_pb2.SubmitCopyResponse(task=self._task(view, started))

    @unary
    async def SubmitJob(
        self, request: task_pb2.SubmitJobRequest, context: Context
    ) -> task_pb2.SubmitJobResponse:
        started = await self.engine.start_job(convert_task.job_submission(request))
        view = await self._started(started)
        task = self._task(view, started)
        return task_pb2.SubmitJobResponse(task=task, created=not started.existing)

    @unary
    async def DryRun(
        self, request: task_pb2.DryRunRequest, context: Context
    ) -> task_pb2.DryRunResponse:
        planned, values = await self.engine.dry_run(convert_task.job_submission(request.job))
        steps = [
            convert_task.planned_step(p, conditions.skip_reason(p.step, values)) for p in planned
        ]
        return task_pb2.DryRunResponse(steps=steps, variables=values)

    @unary
    async def RedoTask(
        self, request: task_pb2.RedoTaskRequest, context: Context
    ) -> task_pb2.RedoTaskResponse:
        task = await self.engine.redo(request.project_id, request.uuid, request.submitter or "api")
        return task_pb2.RedoTaskResponse(task=self._task(await self.queries.view(task)))

    @unary
    async def CountTasks(
        self, request: task_pb2.CountTasksRequest, context: Context
    ) -> task_pb2.CountTasksResponse:
        since = from_unix(request.since_unix, "since_unix")
        counts = await self.queries.count(request.project_id, since)
        return task_pb2.CountTasksResponse(
            count=sum(counts.values()), statuses=convert_task.status_counts(counts)
        )

    @unary
    async def ControlSubtask(
        self, request: task_pb2.ControlSubtaskRequest, context: Context
    ) -> task_pb2.ControlSubtaskResponse:
        task = await self.engine.control(
            request.project_id,
            request.task_uuid,
            request.subtask_uuid,
            convert_task.control(request.control),
            request.actor or "api",
        )
        view = await self.queries.view(task)
        return task_pb2.ControlSubtaskResponse(task=self._task(view))

    async def _started(self, started: Launched) -> TaskView:
        """A task just submitted, as it is now: as its start wrote it when nothing changed it
        since (no read), else read again."""
        return started.view or await self.queries.view(started.task)

    @staticmethod
    def _task(view: TaskView, started: Launched | None = None) -> common_pb2.Task:
        """`started`: the view is the one its start wrote (its steps planned known), when
        it is `started.view`."""
        known = started.known if started is not None and view.subtasks is started.subtasks else {}
        return convert_task.task(
            view.task, view.executions, subs=view.subtasks, note_count=view.note_count,
            planned=known,
        )

    @unary
    async def GetTask(
        self, request: task_pb2.GetTaskRequest, context: Context
    ) -> task_pb2.GetTaskResponse:
        wait, seen = request.wait_seconds, request.seen_etag
        if request.id and not request.uuid:
            view = await self.queries.get_numbered(request.project_id, request.id, wait, seen)
        else:
            view = await self.queries.get(request.project_id, request.uuid, wait, seen)
        return self.answers.get(view.etag, functools.partial(self._answer, view))

    @classmethod
    def _answer(cls, view: TaskView) -> task_pb2.GetTaskResponse:
        return task_pb2.GetTaskResponse(task=cls._task(view), etag=view.etag)

    @unary
    async def ListTasks(
        self, request: task_pb2.ListTasksRequest, context: Context
    ) -> task_pb2.ListTasksResponse:
        rows, total, slaves = await self.queries.search(convert_task.task_filter(request))
        notes = await self.queries.note_counts([r.id for r in rows])
        listed = [convert_task.task(r, slaves=slaves[r.id], note_count=notes[r.id]) for r in rows]
        return task_pb2.ListTasksResponse(tasks=listed, total=total)

    @unary
    async def KillTask(
        self, request: task_pb2.KillTaskRequest, context: Context
    ) -> task_pb2.KillTaskResponse:
        task = await self.engine.kill_task(request.project_id, request.uuid, request.reason)
        view = await self.queries.view(task)
        return task_pb2.KillTaskResponse(task=self._task(view))

    @unary
    async def DeleteTasks(
        self, request: task_pb2.DeleteTasksRequest, context: Context
    ) -> task_pb2.DeleteTasksResponse:
        deleted = await self.engine.delete_tasks(request.project_id, list(request.ids))
        return task_pb2.DeleteTasksResponse(deleted=deleted)

    @unary
    async def ReadLog(
        self, request: task_pb2.ReadLogRequest, context: Context
    ) -> task_pb2.ReadLogResponse:
        read = await self.queries.read_log(
            request.project_id,
            request.execution_id,
            request.from_seq,
            request.max_bytes,
            request.stderr if request.HasField("stderr") else None,
        )
        return task_pb2.ReadLogResponse(
            data=read.data, next_seq=read.next_seq, complete=read.complete
        )

    @streaming
    async def FollowTask(
        self, request: task_pb2.FollowTaskRequest, context: Context
    ) -> AsyncIterator[task_pb2.FollowTaskResponse]:
        async for event in self.queries.follow(
            request.project_id, request.uuid, request.subtask_uuid
        ):
            if isinstance(event, LogPiece):
                data = task_pb2.LogData(
                    execution_id=event.execution.id,
                    node=event.execution.node,
                    data=event.data,
                    stderr=event.stderr,
                )
                yield task_pb2.FollowTaskResponse(output=data)
            elif isinstance(event, TaskView):
                yield task_pb2.FollowTaskResponse(task=self._task(event))
            else:
                change = convert_task.execution(event.execution, event.step_uuid)
                yield task_pb2.FollowTaskResponse(execution=change)

    @streaming
    async def WatchTaskChanges(
        self, request: task_pb2.WatchTaskChangesRequest, context: Context
    ) -> AsyncIterator[task_pb2.TaskChanges]:
        """Changed tasks' ids, of every project: the admin token only (auth.py's ADMIN_ONLY)."""
        with self.queries.events.watching() as watch:
            yield task_pb2.TaskChanges()  # the watch is in place
            while True:
                yield task_pb2.TaskChanges(task_ids=await watch.taken())

    @unary
    async def ListRunLogs(
        self, request: task_pb2.ListRunLogsRequest, context: Context
    ) -> task_pb2.ListRunLogsResponse:
        entries, total = await self.logs.search(convert_runlog.query(request))
        return task_pb2.ListRunLogsResponse(
            entries=[convert_runlog.entry(e) for e in entries], total=total
        )

    @unary
    async def AddTaskNote(
        self, request: task_pb2.AddTaskNoteRequest, context: Context
    ) -> task_pb2.RunLogEntry:
        entry = await self.notes.add(
            request.project_id, request.task_id, request.text, request.author
        )
        return convert_runlog.entry(entry)

    @unary
    async def UpdateTaskNote(
        self, request: task_pb2.UpdateTaskNoteRequest, context: Context
    ) -> task_pb2.RunLogEntry:
        entry = await self.notes.update(
            request.project_id, request.id, request.text, request.task_id
        )
        return convert_runlog.entry(entry)

    @unary
    async def DeleteTaskNotes(
        self, request: task_pb2.DeleteTaskNotesRequest, context: Context
    ) -> task_pb2.DeleteTaskNotesResponse:
        deleted = await self.notes.delete(request.project_id, list(request.ids))
        return task_pb2.DeleteTaskNotesResponse(deleted=deleted)
