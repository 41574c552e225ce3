"""`python -m sqltrace MASTER-ARGS...`: the master (`python -m master`), with every SQL
statement and every database call (a store function run through the master's DbRunner:
`master.db.connection.in_connection`) appended to the file named by $JOBFLEET_SQL_TRACE,
one line each: `<thread id>\\t<CALL|END|SQL>\\t<function or statement>`.

For scripts/count_statements.py. SQLite only (the connection's trace callback sees every
statement sqlite3 runs, BEGIN and COMMIT included). It wraps the master from outside, so it
measures any tree whose master has `in_connection` (run it with that tree's python).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

import peewee

import master.db.connection as connection


def writer(out: TextIO) -> Callable[[str, str], None]:
    lock = threading.Lock()

    def write(kind: str, text: str) -> None:
        line = " ".join(text.split())
        with lock:
            out.write(f"{threading.get_ident()}\t{kind}\t{line}\n")

    return write


def install(write: Callable[[str, str], None]) -> None:
    """Trace statements of every SQLite connection and every database call."""
    connect = peewee.SqliteDatabase._connect  # type: ignore[attr-defined]

    def traced_connect(self: peewee.SqliteDatabase) -> sqlite3.Connection:
        conn: sqlite3.Connection = connect(self)
        conn.set_trace_callback(functools.partial(write, "SQL"))
        return conn

    peewee.SqliteDatabase._connect = traced_connect  # type: ignore[attr-defined]
    in_connection = connection.in_connection

    def traced(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        write("CALL", getattr(fn, "__qualname__", repr(fn)))
        try:
            return in_connection(fn, *args, **kwargs)
        finally:
            write("END", "")

    connection.in_connection = traced


def main() -> int:
    out = open(os.environ["JOBFLEET_SQL_TRACE"], "a", buffering=1)  # noqa: SIM115 - process-long
    install(writer(out))
    from master.cli import main as master_main

    sys.argv[0] = "master"
    return int(master_main() or 0)


if __name__ == "__main__":
    sys.exit(main())
