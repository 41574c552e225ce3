"""A PostgreSQL connection of its own for LISTEN/NOTIFY (master/cluster/bus.py): outside the
pool, in autocommit, so a LISTEN lasts as long as the connection and a NOTIFY leaves at once.
The bus reads it on the event loop when its socket is readable; nothing here blocks but
connect and notify, which the bus runs off the loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg2
import psycopg2.extensions
from playhouse import db_url

from master.db.connection import POSTGRES_OPTIONS


@dataclass(frozen=True)
class Heard:
    channel: str
    payload: str
    pid: int
    """The sending connection's backend: a master skips what it sent itself."""


class Channel:
    """One autocommit connection: `listen`, `notify`, and `heard` when its socket is readable."""

    def __init__(self, url: str, purpose: str) -> None:
        params: dict[str, Any] = {**POSTGRES_OPTIONS, **db_url.parse(url, unquote_password=True)}
        params["application_name"] = f"jobfleet-master {purpose}"
        self.conn = psycopg2.connect(**params)
        self.conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
        self._fd = int(self.conn.fileno())
        """Kept: a connection the server closed no longer says its socket, which the event
        loop must still be told to stop watching."""

    @property
    def pid(self) -> int:
        return int(self.conn.get_backend_pid())

    def fileno(self) -> int:
        return self._fd

    def listen(self, channels: list[str]) -> None:
        with self.conn.cursor() as cursor:
            for name in channels:
                cursor.execute(f'LISTEN "{name}"')

    def notify(self, messages: list[tuple[str, str]]) -> None:
        """Send these (channel, payload); each is a transaction of its own (autocommit)."""
        with self.conn.cursor() as cursor:
            for channel, payload in messages:
                cursor.execute("SELECT pg_notify(%s, %s)", (channel, payload))

    def heard(self) -> list[Heard]:
        """What arrived (without blocking); raises psycopg2.Error when the connection is lost."""
        self.conn.poll()
        notices = [Heard(n.channel, n.payload, n.pid) for n in self.conn.notifies]
        self.conn.notifies.clear()
        return notices

    def close(self) -> None:
        if not self.conn.closed:
            self.conn.close()


Lost = psycopg2.Error
"""What a lost connection raises (the bus reconnects)."""
