"""Project 0: the shared project (OpenC3's tree 0, where its BPM and self-healing pages keep
their jobs), a real row named `global` (`global (project 0)` should a project already have that
name).

The row takes its id outright. Ids made later are not affected: SQLite gives max(id) + 1, and
PostgreSQL's sequence, which an explicit id does not move, starts at 1 and never hands out 0.
"""

import datetime

import peewee as pw

SHARED = 0
NAMES = ("global", "global (project 0)")


class _Project(pw.Model):
    """The project table as this migration found it."""

    id = pw.AutoField()
    name = pw.CharField(max_length=255, unique=True)
    created_at = pw.DateTimeField()

    class Meta:
        table_name = "project"


def up(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    with db.bind_ctx([_Project]):
        if _Project.get_or_none(_Project.id == SHARED) is not None:
            return
        taken = {p.name for p in _Project.select().where(_Project.name.in_(NAMES))}
        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        name = next((n for n in NAMES if n not in taken), f"global {now:%Y%m%d%H%M%S%f}")
        _Project.insert(id=SHARED, name=name, created_at=now).execute()


def down(migrator, db: pw.Database) -> None:  # type: ignore[no-untyped-def]
    with db.bind_ctx([_Project]):
        _Project.delete().where(_Project.id == SHARED).execute()
