"""Terminal frames and records between protobuf and master/terminal's values."""

from __future__ import annotations

from jobfleet.v1 import terminal_pb2 as pb
from master.db.models import TerminalLog
from master.domain import NO_PROJECT
from master.errors import InvalidArgument
from master.rpc.convert.timestamps import from_unix, timestamp
from master.terminal import model
from master.terminal.admission import Ticket
from master.terminal.records import LogQuery

MODES = {
    pb.TERMINAL_MODE_UNSPECIFIED: None,
    pb.TERMINAL_MODE_SHELL: model.TerminalMode.SHELL,
    pb.TERMINAL_MODE_LINES: model.TerminalMode.LINES,
}
MODE_PB = {
    model.TerminalMode.SHELL: pb.TERMINAL_MODE_SHELL,
    model.TerminalMode.LINES: pb.TERMINAL_MODE_LINES,
}
KIND_PB = {
    model.LogKind.START: pb.TERMINAL_LOG_KIND_START,
    model.LogKind.LINE: pb.TERMINAL_LOG_KIND_LINE,
    model.LogKind.HIDDEN: pb.TERMINAL_LOG_KIND_HIDDEN,
    model.LogKind.END: pb.TERMINAL_LOG_KIND_END,
    model.LogKind.COMMAND: pb.TERMINAL_LOG_KIND_COMMAND,
}


def open_spec(o: pb.TerminalOpen) -> model.OpenSpec:
    if o.mode not in MODES:
        raise InvalidArgument(f"unknown mode {o.mode}", "mode")
    return model.OpenSpec(
        project_id=o.project_id if o.HasField("project_id") else NO_PROJECT,
        nodes=tuple(n.strip() for n in o.nodes if n.strip()),
        group_id=o.group_id,
        user=o.user.strip(),
        mode=MODES[o.mode],
        cols=o.size.cols or 80,
        rows=o.size.rows or 24,
        term=o.term.strip() or "xterm-256color",
        actor=o.actor,
    )


def client_event(frame: pb.TerminalClientFrame) -> model.ClientEvent | None:
    """A frame after `open` as an event; None for one that carries nothing (or a second open)."""
    body = frame.WhichOneof("body")
    if body == "input":
        return model.Input(frame.input)
    if body == "resize":
        return model.Resize(frame.resize.cols or 80, frame.resize.rows or 24)
    if body == "line":
        return model.Line(frame.line)
    if body == "interrupt" and frame.interrupt:
        return model.Interrupt()
    return None


def opened(session: model.Session) -> pb.TerminalServerFrame:
    return pb.TerminalServerFrame(
        opened=pb.TerminalOpened(
            session_id=session.id,
            mode=MODE_PB[session.mode],
            nodes=list(session.nodes),
            user=session.user,
            idle_timeout_seconds=int(session.idle_timeout),
            recorded=session.recorded,
        )
    )


def server_frame(event: model.ServerEvent) -> pb.TerminalServerFrame:
    if isinstance(event, model.Output):
        return pb.TerminalServerFrame(output=event.data)
    if isinstance(event, model.LineOutput):
        return pb.TerminalServerFrame(
            line_output=pb.LineOutput(node=event.node, data=event.data, stderr=event.stderr)
        )
    if isinstance(event, model.LineFinished):
        return pb.TerminalServerFrame(
            line_finished=pb.LineFinished(
                node=event.node, exit_code=event.exit_code, status=event.status, reason=event.reason
            )
        )
    if isinstance(event, model.LineSummary):
        return pb.TerminalServerFrame(
            line_summary=pb.LineSummary(
                task_uuid=event.task_uuid,
                succeeded=event.succeeded,
                failed=event.failed,
                seconds=event.seconds,
            )
        )
    return pb.TerminalServerFrame(
        closed=pb.TerminalClosed(exit_code=event.exit_code, reason=event.reason)
    )


def ticket(t: Ticket) -> pb.IssueTerminalTicketResponse:
    return pb.IssueTerminalTicketResponse(
        ticket=t.value,
        expires_at=timestamp(t.expires_at),
        nodes=list(t.resolved.nodes),
        mode=MODE_PB[t.resolved.mode],
        user=t.resolved.user,
    )


def log_query(r: pb.ListTerminalLogRequest) -> LogQuery:
    return LogQuery(
        project_id=r.project_id,
        actor=r.actor,
        node=r.node,
        usr=r.user,
        cmd=r.cmd,
        after=from_unix(r.after_unix, "after_unix"),
        before=from_unix(r.before_unix, "before_unix"),
        session=r.session_id,
        limit=r.limit,
        before_id=r.before_id,
    )


def log_entry(row: TerminalLog) -> pb.TerminalLogEntry:
    return pb.TerminalLogEntry(
        id=row.id,
        project_id=row.project_id,
        session_id=row.session,
        actor=row.actor,
        node=row.node,
        user=row.usr,
        cmd=row.cmd,
        kind=KIND_PB.get(model.LogKind(row.kind), pb.TERMINAL_LOG_KIND_UNSPECIFIED),
        time=timestamp(row.time),
        task_uuid=row.task_uuid,
    )
