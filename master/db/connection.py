"""The connection to the database: one DatabaseProxy, opened from a URL, and the runner that
takes store functions off the event loop.

SQLite (a path or sqlite:///path) is the embedded default; PostgreSQL
(postgresql://user:pass@host:port/db) is the production store. Either way the proxy holds a
connection pool of `pool_size` connections, and store functions run on `DbRunner`, which has one
thread per pooled connection and checks a connection out for each call. Checking out per call
(rather than a thread keeping one for its life) is what survives a database restart: the pool
tests an idle PostgreSQL connection before handing it out (one `SELECT 1`) and replaces a dead
one, so after a restart the next call simply gets a fresh connection. A call that meets the
outage itself fails with `Unavailable`, which the servicers answer as gRPC UNAVAILABLE.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit, urlunsplit

import peewee
from playhouse import db_url
from playhouse.pool import MaxConnectionsExceeded, PooledPostgresqlDatabase, PooledSqliteDatabase

from master.config import ConfigError
from master.errors import Unavailable

logger = logging.getLogger(__name__)

db = peewee.DatabaseProxy()
DEFAULT_POOL_SIZE = 4
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 15000,
}
POSTGRES_OPTIONS: dict[str, Any] = {
    "connect_timeout": 5,  # a server that does not answer is an outage, not a hang
    "application_name": "jobfleet-master",
}
POOL_WAIT = 30  # seconds a call waits for a free connection (only if callers outnumber threads)
POOL_RECYCLE = 1800  # seconds before a PostgreSQL connection is replaced (server-side leaks)
POSTGRES_SCHEMES = ("postgresql", "postgres")

P = ParamSpec("P")
R = TypeVar("R")


def open_database(url: str, pool_size: int = DEFAULT_POOL_SIZE) -> peewee.Database:
    """Connect the proxy to `url` (a path, sqlite:///path or postgresql://...).

    Nothing is connected yet: connections are made by the pool on first use."""
    database = _create(url, pool_size)
    db.initialize(database)
    logger.info("database %s, pool of %d connection(s)", mask_url(url), pool_size)
    return database


def _create(url: str, pool_size: int) -> peewee.Database:
    scheme = urlsplit(url).scheme if "://" in url else ""
    if scheme in POSTGRES_SCHEMES:
        params = {**POSTGRES_OPTIONS, **db_url.parse(url, unquote_password=True)}
        if not params["database"]:
            raise ConfigError(f"db: no database name in {mask_url(url)} (…/DBNAME)")
        postgres: peewee.Database = PooledPostgresqlDatabase(
            max_connections=pool_size, stale_timeout=POOL_RECYCLE, timeout=POOL_WAIT, **params
        )
        return postgres
    if scheme and scheme != "sqlite":
        raise ConfigError(f"db: unsupported database URL scheme {scheme!r} in {mask_url(url)}")
    path = db_url.parse(url)["database"] if scheme else url
    if path != ":memory:":
        Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    sqlite: peewee.Database = PooledSqliteDatabase(
        path,
        pragmas=SQLITE_PRAGMAS,
        max_connections=pool_size,
        timeout=POOL_WAIT,
        check_same_thread=False,  # a pooled connection serves one thread at a time
    )
    return sqlite


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for PostgreSQL or :memory:)."""
    scheme = urlsplit(url).scheme if "://" in url else ""
    if scheme in POSTGRES_SCHEMES:
        return None
    path = db_url.parse(url)["database"] if scheme else url
    return None if path == ":memory:" else Path(path)


def is_postgres_url(url: str) -> bool:
    """Whether `url` names a PostgreSQL database (else SQLite, or nothing)."""
    return "://" in url and urlsplit(url).scheme in POSTGRES_SCHEMES


def check_url(url: str) -> None:
    """Raise ConfigError for a URL open_database would refuse (so the CLI can say so early)."""
    _create(url, 1).close()


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, for logs and messages."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def is_postgres(database: peewee.Database | None = None) -> bool:
    return isinstance(database or db.obj, peewee.PostgresqlDatabase)


def write_transaction() -> Any:
    """A transaction that may read before it writes.

    SQLite's default (deferred) transaction fails at once with "database is locked" when it
    upgrades from reading to writing after another connection wrote; BEGIN IMMEDIATE takes the
    write lock first and so waits (busy_timeout) instead. PostgreSQL locks rows, not the
    database: a plain BEGIN (READ COMMITTED), with guarded UPDATEs in the store, is enough.
    """
    if isinstance(db.obj, peewee.SqliteDatabase):
        return db.atomic("IMMEDIATE")
    return db.atomic()


def is_outage(exc: BaseException) -> bool:
    """Whether a database error means "not reachable right now" rather than a bug.

    On PostgreSQL every OperationalError is about the server or the connection (bad SQL is a
    ProgrammingError); SQLite raises OperationalError for bad SQL too, so only its lock and
    file errors count (a full disk or a read-only file included: writes are refused, not bad)."""
    if isinstance(exc, (peewee.InterfaceError, MaxConnectionsExceeded)):
        return True
    if not isinstance(exc, peewee.OperationalError):
        return False
    if is_postgres():
        return True
    text = str(exc).lower()
    words = ("locked", "busy", "unable to open", "disk i/o", "disk is full", "readonly")
    return any(word in text for word in words)


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    while exc is not None:
        yield exc
        exc = exc.__context__


def in_connection(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run fn with a pooled connection checked out; an outage becomes Unavailable."""
    if fn is open_database or db.obj is None:  # nothing to check out (yet)
        return fn(*args, **kwargs)
    try:
        with db.connection_context():
            return fn(*args, **kwargs)
    except (peewee.DatabaseError, peewee.InterfaceError, MaxConnectionsExceeded) as exc:
        error = _unavailable(fn, exc)
        if error is exc:
            raise
        raise error from exc


def _unavailable(fn: Callable[..., Any], exc: Exception) -> Exception:
    """Unavailable for an outage (logged), else `exc` itself."""
    if not any(is_outage(e) for e in _chain(exc)):  # a failed rollback hides the cause
        return exc
    reason = " ".join(str(exc).split()) or type(exc).__name__
    logger.warning("%s: database unavailable: %s", getattr(fn, "__qualname__", fn), reason)
    return Unavailable("database unavailable, try again later")


def each_outcome(calls: list[Callable[[], R]]) -> list[R | Exception]:
    """Run each call in turn, on the connection the caller checked out (DbRunner: one hand-off
    to a database thread for them all): each one's result, or what it raised, as in_connection
    would raise it (an outage: Unavailable). One failing does not stop the next."""
    found: list[R | Exception] = []
    for call in calls:
        try:
            found.append(call())
        except (peewee.DatabaseError, peewee.InterfaceError, MaxConnectionsExceeded) as exc:
            error = _unavailable(call, exc)
            if error is not exc:
                error.__cause__ = exc
            found.append(error)
        except Exception as exc:
            found.append(exc)
    return found


class DbRunner:
    """Runs store functions on worker threads so peewee never blocks the event loop; one thread
    per pooled connection, so no call waits for a connection."""

    def __init__(self, threads: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="db")

    async def __call__(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        call = functools.partial(in_connection, fn, *args, **kwargs)
        return await loop.run_in_executor(self._pool, call)

    def close(self, connections: bool = True) -> None:
        """Wait for running calls, then close the pool's connections (`connections`: leave
        them to another runner on the same pool, closed after this one)."""
        self._pool.shutdown(wait=True)
        if not connections:
            return
        close_all = getattr(db.obj, "close_all", None)
        if close_all is not None:
            close_all()
