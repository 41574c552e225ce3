"""What terminals leave readable: the audit log (newest first, paged), recorded sessions as
asciicast v2 files, and each project's terminal settings."""

from __future__ import annotations

import calendar
from collections.abc import AsyncIterator

from master.db.connection import DbRunner
from master.db.models import TerminalLog
from master.errors import InvalidArgument, NotFound
from master.store import projects, terminals
from master.store.terminals import LogQuery as LogQuery
from master.terminal.recording import Header, Renderer, header_line

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000
PAGE = 500  # recorded events read per database hop
PIECE = 64 << 10  # bytes of the file per chunk sent


class TerminalRecords:
    def __init__(self, run_db: DbRunner) -> None:
        self.run_db = run_db

    async def log(self, q: LogQuery) -> tuple[list[TerminalLog], bool]:
        """A page of the project's log, newest first, and whether older entries remain."""
        if q.limit < 0 or q.limit > MAX_LIMIT:
            raise InvalidArgument(f"must be 0 (= {DEFAULT_LIMIT}) to {MAX_LIMIT}", "limit")
        if q.before_id < 0:
            raise InvalidArgument("must be an entry's id", "before_id")
        await self.run_db(projects.require_project, q.project_id)
        if not q.limit:
            q = LogQuery(**{**q.__dict__, "limit": DEFAULT_LIMIT})
        return await self.run_db(terminals.list_log, q)

    async def recording(self, project_id: int, session_id: str) -> AsyncIterator[bytes]:
        """The session's asciicast v2 file in pieces; NOT_FOUND naming `session_id` for a
        session of another project, one not recorded, or none."""
        await self.run_db(projects.require_project, project_id)
        row = await self.run_db(terminals.session_in_project, project_id, session_id)
        if row is None or not row.recorded:
            raise NotFound(f"no recorded terminal session {session_id!r}", "session_id")
        head = Header(row.cols, row.rows, calendar.timegm(row.opened_at.timetuple()), row.term)
        renderer = Renderer()
        buffer = bytearray(header_line(head))
        seq = -1
        while page := await self.run_db(terminals.chunks, session_id, seq, PAGE):
            seq = page[-1][0]
            for line in renderer.lines((at, kind, data) for _, at, kind, data in page):
                buffer += line
                if len(buffer) >= PIECE:
                    yield bytes(buffer)
                    buffer.clear()
        for line in renderer.end():
            buffer += line
        if buffer:
            yield bytes(buffer)

    async def records(self, project_id: int) -> bool:
        await self.run_db(projects.require_project, project_id)
        return await self.run_db(terminals.records, project_id)

    async def set_records(self, project_id: int, record: bool, actor: str) -> bool:
        await self.run_db(projects.require_project, project_id)
        await self.run_db(terminals.set_records, project_id, record, actor)
        return record
