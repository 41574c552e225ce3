"""TerminalService: tickets, terminal sessions (SHELL through the shell path, LINES through the
line runner), the terminal log, recordings and settings.

OpenTerminal is not put through the interceptor (rpc/interceptor.py, UNGUARDED): a ticket opens
without call credentials. So it checks its caller itself, as the interceptor would: a ticket
(consumed; its binding wins), else the call's token, identified and permitted on the `open`
frame exactly as Authenticator.permit does for every other call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from jobfleet.v1 import terminal_pb2 as pb
from jobfleet.v1 import terminal_pb2_grpc
from master.errors import InvalidArgument, JobfleetError
from master.rpc.auth import Authenticator
from master.rpc.context import CALLER, Context
from master.rpc.convert import terminal as convert
from master.rpc.errors import streaming, unary
from master.rpc.interceptor import presented
from master.terminal.admission import Admission, Opener
from master.terminal.hooks import SessionKeeper
from master.terminal.lines import LineRunner
from master.terminal.model import (
    ClientEvent,
    Closed,
    Emit,
    OpenSpec,
    ServerEvent,
    Session,
    ShellRunner,
    TerminalMode,
)
from master.terminal.records import TerminalRecords

logger = logging.getLogger(__name__)
OPEN_METHOD = "/jobfleet.v1.TerminalService/OpenTerminal"


class TerminalServicer(terminal_pb2_grpc.TerminalServiceServicer):
    def __init__(
        self,
        admission: Admission,
        lines: LineRunner,
        shell: ShellRunner,
        records: TerminalRecords,
        auth: Authenticator,
    ) -> None:
        self.admission = admission
        self.lines = lines
        self.shell = shell
        self.records = records
        self.auth = auth

    @unary
    async def IssueTerminalTicket(
        self, request: pb.IssueTerminalTicketRequest, context: Context
    ) -> pb.IssueTerminalTicketResponse:
        who = CALLER.get()
        spec = convert.open_spec(request.open)
        opener = Opener(who.admin, who.project_id, who.token_id)
        return convert.ticket(await self.admission.issue(opener, spec))

    @streaming
    async def OpenTerminal(
        self, request_iterator: AsyncIterator[pb.TerminalClientFrame], context: Context
    ) -> AsyncIterator[pb.TerminalServerFrame]:
        frames = aiter(request_iterator)
        first = await anext(frames, None)
        if first is None or first.WhichOneof("body") != "open":
            raise InvalidArgument("the first frame must be `open`", "open")
        spec, opener = await self._caller(first, context)
        session = await self.admission.admit(opener, spec)
        keeper = SessionKeeper(self.admission.run_db, session)
        closed = Closed(reason="hung up")
        try:
            yield convert.opened(session)
            outbox: asyncio.Queue[ServerEvent] = asyncio.Queue(1)

            async def emit(event: ServerEvent) -> None:
                await outbox.put(event)
                await outbox.join()  # back-pressure: until the frame is written

            runner = asyncio.create_task(self._run(session, events(frames), emit, keeper))
            taken: asyncio.Task[ServerEvent] | None = None
            try:
                while True:
                    taken = asyncio.create_task(outbox.get())
                    await asyncio.wait({taken, runner}, return_when=asyncio.FIRST_COMPLETED)
                    if not taken.done():
                        break
                    yield convert.server_frame(taken.result())
                    outbox.task_done()
                closed = runner.result()
            finally:
                if taken is not None:
                    taken.cancel()
                runner.cancel()  # the client went: the runner ends what it started (shielded)
            yield convert.server_frame(closed)
        finally:
            # shielded: a second cancel of this call must not leave the session open
            await asyncio.shield(self._finish(session, keeper, closed))

    async def _finish(self, session: Session, keeper: SessionKeeper, closed: Closed) -> None:
        try:
            await keeper.flush()
            await self.admission.end(session, closed)
        except Exception as exc:  # a master stopping: closed at its next start
            logger.warning("terminal session %s not ended here: %s", session.id, exc)

    async def _run(
        self,
        session: Session,
        client: AsyncIterator[ClientEvent],
        emit: Emit,
        keeper: SessionKeeper,
    ) -> Closed:
        try:
            if session.mode == TerminalMode.SHELL:
                return await self.shell.run(session, client, emit, keeper)
            return await self.lines.run(session, client, emit)
        except JobfleetError as exc:
            return Closed(reason=str(exc))
        except Exception:
            logger.exception("terminal session %s failed", session.id)
            return Closed(reason="failed on the master (see its log)")

    async def _caller(
        self, first: pb.TerminalClientFrame, context: Context
    ) -> tuple[OpenSpec, Opener]:
        """What the open may open, and for whom: a ticket's binding, else the call's token
        checked on the `open` frame as the interceptor checks every other call."""
        if first.open.ticket:
            return await self.admission.redeem(first.open.ticket, convert.open_spec(first.open))
        who = await self.auth.identify(presented(context.invocation_metadata()), OPEN_METHOD)
        self.auth.permit(who, OPEN_METHOD, first)  # narrows an unset project_id to the token's
        return convert.open_spec(first.open), Opener(who.admin, who.project_id, who.token_id)

    @unary
    async def ListTerminalLog(
        self, request: pb.ListTerminalLogRequest, context: Context
    ) -> pb.ListTerminalLogResponse:
        rows, more = await self.records.log(convert.log_query(request))
        return pb.ListTerminalLogResponse(entries=[convert.log_entry(r) for r in rows], more=more)

    @streaming
    async def GetTerminalRecording(
        self, request: pb.GetTerminalRecordingRequest, context: Context
    ) -> AsyncIterator[pb.TerminalRecordingChunk]:
        async for piece in self.records.recording(request.project_id, request.session_id):
            yield pb.TerminalRecordingChunk(data=piece)

    @unary
    async def GetTerminalSettings(
        self, request: pb.GetTerminalSettingsRequest, context: Context
    ) -> pb.TerminalSettings:
        record = await self.records.records(request.project_id)
        return pb.TerminalSettings(project_id=request.project_id, record=record)

    @unary
    async def SetTerminalSettings(
        self, request: pb.SetTerminalSettingsRequest, context: Context
    ) -> pb.TerminalSettings:
        record = await self.records.set_records(request.project_id, request.record, request.actor)
        return pb.TerminalSettings(project_id=request.project_id, record=record)


async def events(frames: AsyncIterator[pb.TerminalClientFrame]) -> AsyncIterator[ClientEvent]:
    """The client's frames after `open` as events (frames carrying nothing skipped)."""
    async for frame in frames:
        event = convert.client_event(frame)
        if event is not None:
            yield event
