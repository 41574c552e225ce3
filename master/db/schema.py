"""The schema: numbered migrations (migrations/) applied in order, once, however many masters
start together, and their status."""

from __future__ import annotations

import contextlib
import logging
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import peewee
from playhouse.migrations import Runner

from master.db.connection import is_postgres
from master.secrets import SecretBox, sealing_with

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK = zlib.crc32(b"jobfleet schema migration")  # pg advisory lock key


def migrate(database: peewee.Database, secrets: SecretBox | None = None) -> list[str]:
    """Apply pending numbered migrations; returns their names. `secrets` seals what a
    migration finds stored plain (0010: account secrets).

    Masters sharing one PostgreSQL may start together: an advisory lock makes the others wait
    while one migrates, after which they find nothing pending."""
    with _migration_lock(database), sealing_with(secrets):
        applied: list[str] = Runner(database, str(MIGRATIONS_DIR)).up()
    for name in applied:
        logger.info("applied migration %s", name)
    return applied


@contextlib.contextmanager
def _migration_lock(database: peewee.Database) -> Iterator[None]:
    if not is_postgres(database):
        yield
        return
    run: Callable[..., Any] = database.execute_sql
    run("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        yield
    finally:
        run("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))


def schema_status(database: peewee.Database) -> list[tuple[str, bool]]:
    """(migration name, applied?) in order."""
    return [(m.name, bool(m.applied)) for m in Runner(database, str(MIGRATIONS_DIR)).status()]
