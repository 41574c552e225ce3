"""Rows into a PostgreSQL table by binary COPY: for rows that are mostly bytes (output chunks).

An INSERT through psycopg2 carries a bytea as a hex literal in the statement's text: every
byte becomes two on the client, is parsed back on the server, and the statement is built and
parsed whole. Binary COPY sends each value as it is, length-prefixed, streamed from the
values themselves (no joined copy of the rows). Columns are integer (int4), boolean or bytea.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from typing import Any

from master.db.connection import db

Value = int | bool | bytes
HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
TRAILER = struct.pack("!h", -1)
READ_SIZE = 1 << 20
"""The most psycopg2 asks of the reader at a time (it takes whatever a read returns)."""


def copy_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Value]]) -> None:
    """COPY the rows into `table` (in the current transaction, on its connection)."""
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'COPY "{table}" ({names}) FROM STDIN WITH (FORMAT binary)'
    cursor: Any = db.cursor()
    cursor.copy_expert(sql, _Pieces(_encoded(len(columns), rows)), READ_SIZE)


def _encoded(width: int, rows: Sequence[Sequence[Value]]) -> Iterator[bytes]:
    """The COPY stream: header, each row (field count, then each field's length and bytes),
    trailer; a bytes value is handed on as it is, never copied."""
    yield HEADER
    count = struct.pack("!h", width)
    for row in rows:
        head = [count]
        for value in row:
            if isinstance(value, bytes):
                head.append(struct.pack("!i", len(value)))
                yield b"".join(head)
                if value:  # an empty read would end the stream
                    yield value
                head = []
            elif isinstance(value, bool):
                head.append(b"\x00\x00\x00\x01\x01" if value else b"\x00\x00\x00\x01\x00")
            else:
                head.append(struct.pack("!ii", 4, value))
        if head:
            yield b"".join(head)
    yield TRAILER


class _Pieces:
    """A file psycopg2's copy_expert reads: each read gives the next piece (b"" at the end)."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces

    def read(self, size: int = -1) -> bytes:
        return next(self._pieces, b"")
