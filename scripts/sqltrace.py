"""`python -m sqltrace MASTER-ARGS...`: the master (`python -m master`), with every SQL
statement and every database call (a store function run through the master's DbRunner:
`master.db.connection.in_connection`) appended to the file named by $JOBFLEET_SQL_TRACE,
one line each: `<thread id>\\t<CALL|END|SQL>\\t<function or statement>`.

For scripts/count_statements.py. On SQLite the connection's trace callback sees every
statement sqlite3 runs, BEGIN and COMMIT included; on PostgreSQL every cursor's execute is
traced (peewee's connections are autocommit and send BEGIN and COMMIT through a cursor too).
It wraps the master from outside, so it measures any tree whose master has `in_connection`
(run it with that tree's python).
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


def install_postgres(write: Callable[[str, str], None]) -> None:
    """Trace every statement run through a cursor of a PostgreSQL connection."""
    import psycopg2.extensions

    class TracedCursor(psycopg2.extensions.cursor):
        def execute(self, query: Any, params: Any = None) -> Any:
            write("SQL", query if isinstance(query, str) else str(self.mogrify(query, params)))
            return super().execute(query, params)

        def executemany(self, query: Any, params_list: Any) -> Any:
            rows = list(params_list)
            for _ in rows:
                write("SQL", query if isinstance(query, str) else str(query))
            return super().executemany(query, rows)

    connect = peewee.PostgresqlDatabase._connect  # type: ignore[attr-defined]

    def traced_connect(self: peewee.PostgresqlDatabase) -> Any:
        self.connect_params.setdefault("cursor_factory", TracedCursor)
        return connect(self)

    peewee.PostgresqlDatabase._connect = traced_connect  # type: ignore[attr-defined]


def main() -> int:
    out = open(os.environ["JOBFLEET_SQL_TRACE"], "a", buffering=1)  # noqa: SIM115 - process-long
    write = writer(out)
    install(write)
    install_postgres(write)
    from master.cli import main as master_main

    sys.argv[0] = "master"
    return int(master_main() or 0)


if __name__ == "__main__":
    sys.exit(main())
