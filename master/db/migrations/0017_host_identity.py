"""Hosts as bk-job names them, (cloud area, IP): a node's cloud area (`bk_cloud_id`, default 0),
and the IP and cloud area each execution ran on, recorded when it is written.

Existing nodes are in the default area 0; existing executions keep "" and 0 (nothing recorded
which host they were on).
"""

import peewee as pw

COLUMNS = [
    ("node", "cloud_id", pw.BigIntegerField(default=0)),
    ("execution", "ip", pw.CharField(max_length=64, default="")),
    ("execution", "cloud_id", pw.BigIntegerField(default=0)),
]


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.add_column(t, c, f) for t, c, f in COLUMNS))


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    migrator.migrate(*(migrator.drop_column(t, c) for t, c, _ in COLUMNS))
