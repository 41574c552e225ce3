"""Accounts' SSH keys and passwords sealed with the master's secrets key (master/secrets.py).

Rows an older release stored plain are sealed; sealed ones (tagged `enc:v1:`) are left alone,
so running it again changes nothing. The key comes from the master that migrates
(`secrets.sealing_with`); without one, a database holding plain secrets is not upgraded."""

from collections.abc import Callable
from typing import Any

import peewee as pw

from master.secrets import MIGRATION_BOX, SecretBox, is_sealed

COLUMNS = ("private_key", "password")


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    _rewrite(db, lambda v: bool(v) and not is_sealed(v), lambda box, v: box.seal(v))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    _rewrite(db, is_sealed, lambda box, v: box.open(v))


def _rewrite(
    db: pw.Database, pending: Callable[[str], bool], change: Callable[[SecretBox, str], str]
) -> None:
    run: Callable[..., Any] = db.execute_sql
    rows = run('SELECT id, private_key, password FROM "account"').fetchall()
    sets = ", ".join(f'"{c}" = {db.param}' for c in COLUMNS)
    for row_id, *values in rows:
        values = [v or "" for v in values]
        if not any(pending(v) for v in values):
            continue
        box = MIGRATION_BOX.get()
        if box is None:
            raise RuntimeError("sealing account secrets needs the master's secrets key")
        new = [change(box, v) if pending(v) else v for v in values]
        run(f'UPDATE "account" SET {sets} WHERE id = {db.param}', [*new, row_id])
