from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import peewee
import pytest
from playhouse.pool import PooledSqliteDatabase

from master.db.connection import open_database
from master.db.schema import migrate
from tests.unit.master.mastertest import Core


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated once per session, copied for each test (migrating takes ~0.1 s)."""
    path = tmp_path_factory.mktemp("migrated") / "unit.db"
    db = open_database(str(path))
    migrate(db)
    cast(PooledSqliteDatabase, db).close_all()  # the last close folds the WAL into the file
    return path


@pytest.fixture
def database(tmp_path: Path, migrated: Path) -> Iterator[peewee.Database]:
    """A migrated embedded database of the test's own."""
    shutil.copyfile(migrated, tmp_path / "unit.db")
    db = open_database(str(tmp_path / "unit.db"))
    yield db
    db.close()


@pytest.fixture
def core(database: peewee.Database) -> Iterator[Core]:
    """The task engine's core on the test's database (tests/unit/master/mastertest.py)."""
    wired = Core.wire()
    yield wired
    wired.close()
