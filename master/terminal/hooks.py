"""What a running shell session leaves behind: its lines in the audit log (hidden input as a
HIDDEN row without its text) and, where the project records, its output and resizes in batches."""

from __future__ import annotations

import time

from master.db.connection import DbRunner
from master.store import terminals
from master.terminal.admission import entry
from master.terminal.model import LogKind, Session
from master.terminal.recording import Event, Recorder, resize_data


class SessionKeeper:
    """`SessionHooks` for one session; `flush` writes what is still buffered (at its end)."""

    def __init__(self, run_db: DbRunner, session: Session) -> None:
        self.run_db = run_db
        self.session = session
        self.recorder = Recorder(time.monotonic()) if session.recorded else None

    async def input_line(self, session: Session, text: str, hidden: bool) -> None:
        row = entry(session, LogKind.HIDDEN, "") if hidden else entry(session, LogKind.LINE, text)
        await self.run_db(terminals.add_log, [row])

    async def output(self, session: Session, data: bytes) -> None:
        if self.recorder is not None and data:
            await self._write(self.recorder.add("o", data))

    async def resized(self, session: Session, cols: int, rows: int) -> None:
        if self.recorder is not None:
            await self._write(self.recorder.add("r", resize_data(cols, rows)))

    async def flush(self) -> None:
        if self.recorder is not None:
            await self._write(self.recorder.take())

    async def _write(self, batch: list[Event]) -> None:
        if batch and self.recorder is not None:
            first = self.recorder.numbered(batch)
            await self.run_db(terminals.add_chunks, self.session.id, first, batch)
