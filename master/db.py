"""The database: one DatabaseProxy, opened from a URL, schema brought up by migrations.

Store functions run in a small thread pool (peewee is synchronous); each worker thread keeps
its own connection for its life, so a call costs no connect.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import peewee
from playhouse import db_url
from playhouse.migrations import Runner

logger = logging.getLogger(__name__)

db = peewee.DatabaseProxy()
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 15000,
}

P = ParamSpec("P")
R = TypeVar("R")


def open_database(url: str) -> peewee.Database:
    """Connect the proxy to `url` (a path, sqlite:///path or postgresql://...)."""
    if "://" not in url:
        Path(url).parent.mkdir(parents=True, exist_ok=True)
        database: peewee.Database = peewee.SqliteDatabase(url, pragmas=SQLITE_PRAGMAS)
    elif url.startswith("sqlite"):
        database = db_url.connect(url, pragmas=SQLITE_PRAGMAS)
    else:
        database = db_url.connect(url)
    db.initialize(database)
    return database


def write_transaction() -> Any:
    """A transaction that may read before it writes.

    SQLite's default (deferred) transaction fails at once with "database is locked" when it
    upgrades from reading to writing after another connection wrote; BEGIN IMMEDIATE takes the
    write lock first and so waits (busy_timeout) instead.
    """
    if isinstance(db.obj, peewee.SqliteDatabase):
        return db.atomic("IMMEDIATE")
    return db.atomic()


def migrate(database: peewee.Database) -> list[str]:
    """Apply pending numbered migrations; returns their names."""
    applied: list[str] = Runner(database, str(MIGRATIONS_DIR)).up()
    for name in applied:
        logger.info("applied migration %s", name)
    return applied


def schema_status(database: peewee.Database) -> list[tuple[str, bool]]:
    """(migration name, applied?) in order."""
    return [(m.name, bool(m.applied)) for m in Runner(database, str(MIGRATIONS_DIR)).status()]


class DbRunner:
    """Runs store functions on worker threads so peewee never blocks the event loop."""

    def __init__(self, threads: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="db")

    async def __call__(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
