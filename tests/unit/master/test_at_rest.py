"""What the master keeps at rest: sealed secrets and their key file, the migration that seals
what an older release stored plain, resumable blob reads, and which blobs the sweep may take."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import peewee
import pytest
from cryptography.fernet import Fernet
from playhouse.migrations import Runner
from playhouse.pool import PooledDatabase

from master.catalogue.filestore import FileStore
from master.db.connection import open_database
from master.db.models import Account
from master.db.schema import MIGRATIONS_DIR, migrate
from master.domain import JobType, NewStep, NewTask, Placement, StepKind, TaskStatus
from master.errors import InvalidArgument
from master.secrets import KeyFileError, SecretBox, is_sealed, read_key, write_key
from master.store import blobs, files, slaves, tasks

KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAA\n"
    "-----END OPENSSH PRIVATE KEY-----"
)


@pytest.fixture
def box(tmp_path: Path) -> SecretBox:
    return SecretBox.load(tmp_path / "secrets.key")


def test_sealed_values_open_only_with_their_key(box: SecretBox, tmp_path: Path) -> None:
    sealed = box.seal(KEY)
    other = SecretBox.load(tmp_path / "other.key")

    assert is_sealed(sealed) and "OPENSSH" not in sealed and box.open(sealed) == KEY
    assert box.seal("") == "" and box.open("plain, from before") == "plain, from before"
    with pytest.raises(KeyFileError, match="does not open a secret"):
        other.open(sealed)


def test_a_fresh_key_is_written_0600_and_read_back(box: SecretBox) -> None:
    sealed = box.seal("pw")
    box.save()

    assert box.source.stat().st_mode & 0o777 == 0o600
    assert SecretBox.load(box.source).open(sealed) == "pw"


@pytest.mark.parametrize(
    ("mode", "content", "message"),
    [
        (0o644, Fernet.generate_key(), "mode 0644 lets group/others at it"),
        (0o640, Fernet.generate_key(), "mode 0640 lets group/others at it"),
        (0o600, b"not a key", "not a key"),
    ],
)
def test_unsafe_or_bad_key_files_are_refused_by_name(
    tmp_path: Path, mode: int, content: bytes, message: str
) -> None:
    path = tmp_path / "secrets.key"
    write_key(path, content)
    path.chmod(mode)

    with pytest.raises(KeyFileError, match=f"secrets key {path}: {message}"):
        read_key(path)


def plain_database(tmp_path: Path) -> peewee.Database:
    """A database at the schema before sealing, holding an account stored plain."""
    database = open_database(str(tmp_path / "old.db"), pool_size=1)
    Runner(database, str(MIGRATIONS_DIR)).up(target="0007_log_cap")
    database.execute_sql(  # type: ignore[no-untyped-call]  # peewee's stubs leave it bare
        'INSERT INTO "account" (project_id, username, private_key, password, create_user, '
        "create_time, edit_user, edit_time) VALUES (1, 'deploy', ?, 'hunter2', '', "
        "'2026-01-01', '', '2026-01-01')",
        (KEY,),
    )
    return database


def test_the_migration_seals_plain_secrets_once(tmp_path: Path, box: SecretBox) -> None:
    database = plain_database(tmp_path)
    try:
        migrate(database, box)
        first = Account.get(Account.username == "deploy")
        sealing = next(m for m in Runner(database, str(MIGRATIONS_DIR)).migrations() if m.idx == 10)
        sealing.load().up(None, database)  # again: sealed values are left alone
        second = Account.get(Account.username == "deploy")
    finally:
        cast(PooledDatabase, database).close_all()

    assert is_sealed(first.private_key) and is_sealed(first.password)
    assert (box.open(first.private_key), box.open(first.password)) == (KEY, "hunter2")
    assert (second.private_key, second.password) == (first.private_key, first.password)


def test_the_migration_needs_the_key_when_there_is_something_to_seal(tmp_path: Path) -> None:
    database = plain_database(tmp_path)
    try:
        with pytest.raises(RuntimeError, match="needs the master's secrets key"):
            migrate(database)
        still = Account.get(Account.username == "deploy")
    finally:
        cast(PooledDatabase, database).close_all()

    assert still.private_key == KEY  # the failed migration changed nothing


def stored(store: FileStore, data: bytes) -> str:
    async def chunks() -> AsyncIterator[bytes]:
        yield data

    return asyncio.run(store.write(chunks())).sha256


def test_reads_resume_at_an_offset_and_refuse_past_the_end(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "blobs", 1 << 20)
    data = os.urandom(3000)
    sha = stored(store, data)

    assert b"".join(store.read(sha, 1234)) == data[1234:]
    assert b"".join(store.read(sha, 3000)) == b""
    with pytest.raises(InvalidArgument, match="offset"):
        list(store.read(sha, 3001))


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_sweep_takes_only_old_unreferenced_blobs_and_stale_temp_files(
    tmp_path: Path,
) -> None:
    store = FileStore(tmp_path / "blobs", 1 << 20)
    named, old, young = (stored(store, text) for text in (b"named", b"old", b"young"))
    for sha in (named, old):
        age(store.path(sha), 120)
    stale, fresh = store.root / "tmp" / "stale", store.root / "tmp" / "fresh"
    stale.write_bytes(b"cut")
    fresh.write_bytes(b"uploading")
    age(stale, 120)

    swept = store.sweep({named}, grace=60)

    assert (swept.blobs, swept.blob_bytes, swept.temps) == (1, 3, 1)
    assert [store.exists(s) for s in (named, old, young)] == [True, False, True]
    assert (stale.exists(), fresh.exists()) == (False, True)


def copy_task(status: TaskStatus, blob: str) -> None:
    """A task with one execution holding `blob`, left at `status`."""
    slaves.register("s1", "host", [], "test")
    step = NewStep("copy", StepKind.SCP, "", 1, {})
    task = tasks.create(NewTask(1, "t", "me", "api", JobType.PLUGIN_SCP, {}, [step], {}))
    rows = tasks.start_step(task.id, 0, [Placement("s1", "s1")])
    rows[0].blob = f"{blob}:archive"
    rows[0].save()
    tasks.set_status(task.id, status)


def test_blobs_referenced_are_named_files_and_those_of_tasks_not_ended(
    database: peewee.Database,
) -> None:
    files.save(1, "named.bin", "a" * 64, 1, "me")
    copy_task(TaskStatus.RUNNING, "b" * 64)
    copy_task(TaskStatus.WAITING, "c" * 64)
    copy_task(TaskStatus.SUCCESS, "d" * 64)
    copy_task(TaskStatus.FAIL, "e" * 64)

    assert blobs.referenced() == {"a" * 64, "b" * 64, "c" * 64}
