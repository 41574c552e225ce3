from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from master.db.connection import open_database
from master.db.schema import migrate


@pytest.fixture
def database(tmp_path: Path) -> Iterator[peewee.Database]:
    """A migrated embedded database of the test's own."""
    db = open_database(str(tmp_path / "unit.db"))
    migrate(db)
    yield db
    db.close()
