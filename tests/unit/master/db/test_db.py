"""master.db on both backends: opening URLs, pools, outages as Unavailable, migrations, batched
inserts and the indexes the hot queries use. PostgreSQL cases need JOBFLEET_TEST_DB (scripts/test
provides a throwaway server) and are skipped without it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import peewee
import psycopg2
import pytest
from playhouse.migrations import Runner
from playhouse.pool import PooledDatabase, PooledPostgresqlDatabase, PooledSqliteDatabase

from master.config import ConfigError
from master.db.bulk import insert_rows
from master.db.connection import (
    DbRunner,
    db,
    in_connection,
    is_outage,
    mask_url,
    open_database,
    write_transaction,
)
from master.db.models import Execution, Project, Slave, Subtask, Task, utcnow
from master.db.schema import MIGRATIONS_DIR, migrate, schema_status
from master.domain import Chunk, JobType, NewStep, NewTask, Placement, StepKind, TaskFilter
from master.errors import Unavailable
from master.store import logs, projects, tasks, taskstart
from tests import pg
from tests.unit.master.store.test_logs import TEXT, new_execution


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[peewee.Database]:
    """A freshly migrated database of the test's own on each backend."""
    if request.param == "sqlite":
        url, drop = str(tmp_path / "jobfleet.db"), None
    else:
        if not pg.server_url():
            pytest.skip("PostgreSQL: JOBFLEET_TEST_DB is not set (scripts/test sets it)")
        url = pg.create_database(pg.server_url())
        drop = url
    database = open_database(url, pool_size=2)
    in_connection(migrate, database)
    yield database
    cast(PooledDatabase, database).close_all()
    if drop:
        pg.drop_database(drop)


def test_the_password_never_shows_in_a_masked_url() -> None:
    assert mask_url("postgresql://jf:s3cr%2Ft@db.example:5432/jobfleet") == (
        "postgresql://jf:***@db.example:5432/jobfleet"
    )
    assert mask_url("postgresql://jf@db:5432/jobfleet") == "postgresql://jf@db:5432/jobfleet"
    assert mask_url("/var/lib/jobfleet/jobfleet.db") == "/var/lib/jobfleet/jobfleet.db"


def test_urls_select_a_pooled_backend_sized_by_configuration(tmp_path: Path) -> None:
    sqlite = open_database(str(tmp_path / "a" / "jobfleet.db"), pool_size=3)
    also_sqlite = open_database(f"sqlite:///{tmp_path}/b.db", pool_size=2)
    postgres = open_database("postgresql://jf:pw@127.0.0.1:5432/jobfleet", pool_size=7)

    assert isinstance(sqlite, PooledSqliteDatabase) and sqlite._max_connections == 3
    assert (tmp_path / "a").is_dir()
    assert isinstance(also_sqlite, PooledSqliteDatabase) and also_sqlite.database.endswith("b.db")
    assert isinstance(postgres, PooledPostgresqlDatabase) and postgres._max_connections == 7
    assert postgres.connect_params["password"] == "pw"
    assert postgres.is_closed()  # nothing connects before the first call


@pytest.mark.parametrize(
    "url", ["mysql://jf@db/jobfleet", "postgresql://jf@db:5432", "postgresql://jf@db:5432/"]
)
def test_a_bad_url_is_a_config_error_naming_db(url: str) -> None:
    with pytest.raises(ConfigError, match="^db: "):
        open_database(url)


def test_a_database_that_does_not_answer_is_unavailable() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    open_database(f"postgresql://jf:pw@127.0.0.1:{port}/jobfleet", pool_size=1)

    with pytest.raises(Unavailable) as caught:
        in_connection(projects.list_projects)

    assert "pw" not in str(caught.value)


def test_only_outages_become_unavailable(tmp_path: Path) -> None:
    open_database(str(tmp_path / "jobfleet.db"))

    def locked() -> None:
        raise peewee.OperationalError("database is locked")

    def bug() -> None:
        db.execute_sql("SELECT missing FROM nowhere")

    with pytest.raises(Unavailable):
        in_connection(locked)
    with pytest.raises(peewee.OperationalError, match="no such table"):
        in_connection(bug)
    assert is_outage(peewee.InterfaceError("connection already closed"))


def test_each_call_returns_its_connection_to_the_pool(backend: peewee.Database) -> None:
    seen: list[int] = []

    def remember() -> None:
        seen.append(id(db.connection()))

    for _ in range(3):
        in_connection(remember)

    assert db.is_closed()
    assert len(set(seen)) == 1  # the same pooled connection, not a new one per call


def test_db_runner_runs_store_calls_off_the_event_loop(backend: peewee.Database) -> None:
    runner = DbRunner(2)
    loop_thread = threading.get_ident()

    async def main() -> tuple[list[Any], int]:
        rows = await runner(projects.list_projects)
        return rows, await runner(threading.get_ident)

    try:
        rows, worker = asyncio.run(main())
    finally:
        runner.close()

    assert [p.name for p in rows] == ["global", "default"] and worker != loop_thread


def test_migrations_create_projects_zero_and_one_and_a_second_run_changes_nothing(
    backend: peewee.Database,
) -> None:
    status = in_connection(schema_status, backend)

    assert in_connection(migrate, backend) == []
    assert status and all(applied for _, applied in status)
    assert status[0][0] == "0001_initial" and status[1][0] == "0002_indexes"
    listed = in_connection(projects.list_projects)
    assert [(p.id, p.name) for p in listed] == [(0, "global"), (1, "default")]


def test_masters_starting_together_on_postgresql_apply_each_migration_once() -> None:
    if not pg.server_url():
        pytest.skip("PostgreSQL: JOBFLEET_TEST_DB is not set (scripts/test sets it)")
    url = pg.create_database(pg.server_url())
    database = open_database(url, pool_size=2)
    results: list[list[str]] = []
    try:
        starts = [
            threading.Thread(target=lambda: results.append(in_connection(migrate, database)))
            for _ in range(2)
        ]
        for thread in starts:
            thread.start()
        for thread in starts:
            thread.join(60)
        status = in_connection(schema_status, database)
    finally:
        cast(PooledDatabase, database).close_all()
        pg.drop_database(url)

    assert len(results) == 2 and sorted(results, key=len)[0] == []
    assert sorted(results, key=len)[1] == [name for name, _ in status]


def test_new_projects_get_fresh_ids_after_project_one(backend: peewee.Database) -> None:
    second = in_connection(projects.create_project, "second")  # PostgreSQL: sequence fixed

    assert second.id == 2
    assert in_connection(projects.require_project, 0).name == "global"  # the shared project


def test_the_shared_project_is_made_once_and_takes_another_name_when_global_is_taken(
    backend: peewee.Database,
) -> None:
    shared = next(m for m in Runner(backend, str(MIGRATIONS_DIR)).migrations() if m.idx == 11)

    def again() -> list[tuple[int, str]]:
        shared.load().up(None, backend)
        return [(p.id, p.name) for p in projects.list_projects()]

    def without_it() -> list[tuple[int, str]]:
        shared.load().down(None, backend)
        projects.create_project("global")  # an operator's project of that name, made before
        return again()

    assert in_connection(again) == [(0, "global"), (1, "default")]
    assert in_connection(without_it) == [(0, "global (project 0)"), (1, "default"), (2, "global")]


def test_after_an_explicit_id_the_next_project_follows_it(backend: peewee.Database) -> None:
    in_connection(projects.create_project, "ten", 10)

    following = in_connection(projects.create_project, "next")

    assert following.id == 11


def test_a_failed_write_transaction_leaves_nothing(backend: peewee.Database) -> None:
    def half_done() -> None:
        with write_transaction():
            Project.create(name="half")
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        in_connection(half_done)

    assert [p.name for p in in_connection(projects.list_projects)] == ["global", "default"]


def test_ten_thousand_rows_are_one_insert_with_defaults(backend: peewee.Database) -> None:
    rows: list[dict[str, Any]] = [{"name": f"s{i:05d}", "version": "1"} for i in range(10_000)]

    with capture_statements() as statements:
        in_connection(insert_rows, Slave, rows)
    stored = in_connection(lambda: list(Slave.select().order_by(Slave.name)))

    assert len([sql for sql, _ in statements if sql.startswith('INSERT INTO "slave"')]) == 1
    assert len(stored) == 10_000 and stored[-1].name == "s09999"
    assert stored[0].hostname == "" and stored[0].first_seen is not None


@pytest.mark.parametrize(
    ("run", "index"),
    [
        (lambda: tasks.search(TaskFilter(project_id=1)), "task_project_id_id"),
        (
            lambda: tasks.search(TaskFilter(project_id=1, statuses=("running",))),
            "task_project_id_status_id",
        ),
        (  # several statuses: the project's tasks newest first, filtered (no sort either)
            lambda: tasks.search(TaskFilter(project_id=1, statuses=("decision", "waiting"))),
            "task_project_id_id",
        ),
        (
            lambda: tasks.search(TaskFilter(project_id=1, submitter="ops")),
            "task_project_id_submitter_id",
        ),
        (lambda: tasks.executions(1), "execution_task_id_id"),
        (lambda: logs.read(1, 0, 1 << 20), "log_chunk"),
        (lambda: logs.read(1, 0, 1 << 20, stderr=True), "log_chunk"),
    ],
)
def test_list_filters_and_ordered_reads_use_an_index_without_sorting(
    backend: peewee.Database, run: Callable[[], object], index: str
) -> None:
    with capture_statements() as statements:
        in_connection(run)

    plans = [in_connection(explain, sql, params) for sql, params in statements if "ORDER BY" in sql]

    assert plans, statements
    for plan in plans:
        assert "sort" not in plan.lower() and "temp b-tree" not in plan.lower(), plan
        if isinstance(backend, peewee.SqliteDatabase) or not index.startswith("task"):
            assert index in plan, plan
        else:  # on empty tables PostgreSQL may prefer another (project_id, ...) index
            assert "Index Scan" in plan and "using task_project_id" in plan, plan


def explain(sql: str, params: tuple[Any, ...]) -> str:
    if isinstance(db.obj, peewee.SqliteDatabase):
        rows = db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
        return "\n".join(str(r[-1]) for r in rows)
    with db.atomic():  # the tables are empty: rule out scans that only win on tiny tables
        db.execute_sql("SET LOCAL enable_seqscan = off")
        db.execute_sql("SET LOCAL enable_bitmapscan = off")
        return "\n".join(r[0] for r in db.execute_sql(f"EXPLAIN {sql}", params).fetchall())


class _Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str, tuple[Any, ...]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, tuple):  # peewee logs (sql, params) for each statement
            sql, params = record.msg
            self.seen.append((sql, tuple(params or ())))


@contextlib.contextmanager
def capture_statements() -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    """(sql, params) of each statement peewee runs inside the block."""
    handler = _Statements()
    log = logging.getLogger("peewee")
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        yield handler.seen
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


def master_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "master", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("argv", "key"),
    [
        (["--db-pool-size", "0"], "db_pool_size"),
        (["--db-pool-size", "many"], "db_pool_size"),
        (["--db", "mysql://jf@db/jobfleet"], "db:"),
    ],
)
def test_bad_db_flags_exit_2_naming_them(argv: list[str], key: str, tmp_path: Path) -> None:
    result = master_cli("--data-dir", str(tmp_path), *argv, "db", "status")

    assert result.returncode == 2 and key in result.stderr, result.stderr


def test_db_status_shows_the_schema_version(tmp_path: Path) -> None:
    url = str(tmp_path / "jobfleet.db")

    before = master_cli("--db", url, "db", "status")
    upgrade = master_cli("--db", url, "db", "upgrade")
    after = master_cli("--db", url, "db", "status")

    assert "schema version none (0 of" in before.stdout and "pending  0001_initial" in before.stdout
    assert upgrade.returncode == 0 and "applied: 0001_initial, 0002_indexes" in upgrade.stdout
    applied = [line for line in after.stdout.splitlines() if line.startswith("applied  ")]
    last, count = applied[-1].split()[-1], len(applied)
    assert f"schema version {last} ({count} of {count} migrations applied)" in after.stdout


def test_db_status_of_an_unreachable_database_exits_1_without_the_password() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    result = master_cli("--db", f"postgresql://jf:s3cret@127.0.0.1:{port}/jf", "db", "status")

    assert result.returncode == 1 and "database unavailable" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout


def test_output_stored_before_streams_were_kept_apart_reads_as_stdout(
    backend: peewee.Database,
) -> None:
    runner = Runner(backend, str(MIGRATIONS_DIR))
    streams = next(m for m in runner.migrations() if m.name.endswith("_log_streams")).load()
    chunks = peewee.Table("log_chunk", ("execution_id", "seq", "data"))

    def stored_before() -> int:
        eid = new_execution()
        streams.down(runner.migrator, backend)
        chunks.bind(backend).insert(execution_id=eid, seq=0, data=b"old\n").execute()
        streams.up(runner.migrator, backend)
        logs.append([Chunk(eid, 1, b"new\n", stderr=True)])
        return eid

    eid = in_connection(stored_before)

    assert in_connection(logs.read, eid, 0, 1 << 20, False) == (b"old\n", 2)
    assert in_connection(logs.read, eid, 0, 1 << 20, True) == (b"new\n", 2)


def test_output_chunks_are_compressed_with_lz4_on_postgresql(backend: peewee.Database) -> None:
    """Migrations 0025 and 0026: never pglz (it cost more than it saved); lz4 where the
    server has it (fewer TOAST rows per chunk), else out of line uncompressed."""
    if not isinstance(backend, PooledPostgresqlDatabase):
        pytest.skip("a PostgreSQL storage setting")
    storage, compression, has_lz4 = in_connection(
        lambda: backend.execute_sql(
            "SELECT attstorage, attcompression, ("
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
            "WHERE name = 'default_toast_compression') "
            "FROM pg_attribute WHERE attrelid = 'log_chunk'::regclass AND attname = 'data'"
        ).fetchone()
    )
    assert (storage, compression) == (("x", "l") if has_lz4 else ("e", ""))


def started_task(name: str) -> tuple[int, int]:
    """A task with its first step started on one node: (task id, step id)."""
    step = NewStep(f"{name}-step", StepKind.CMD, "", 1, {})
    task = tasks.create(NewTask(1, name, "me", "api", JobType.PLUGIN_CMD, {}, [step], {}))
    rows = tasks.start_step(task.id, 0, [Placement("n1", "s1")])
    return task.id, rows[0].subtask_id


def written_executions(task_id: int, step_id: int, nodes: int) -> None:
    """Executions written as a big start writes them (COPY on PostgreSQL)."""
    placements = [Placement(f"x{i}", "s1") for i in range(nodes)]
    with write_transaction():
        taskstart.insert_values(taskstart._execution_rows(task_id, step_id, placements, utcnow()))


def test_an_execution_of_a_missing_step_is_refused_and_nothing_is_written(
    backend: peewee.Database,
) -> None:
    task_id, step_id = in_connection(started_task, "a")

    with pytest.raises(Exception, match="(?i)foreign key"):  # the driver's IntegrityError
        in_connection(written_executions, task_id, step_id + 1000, 3)

    assert [e.node for e in in_connection(tasks.executions, task_id)] == ["n1"]


def test_an_execution_naming_a_step_of_another_task_is_refused_on_postgresql(
    backend: peewee.Database,
) -> None:
    """Migration 0029: the step key holds both and that they agree, on INSERT and UPDATE."""
    if not isinstance(backend, PooledPostgresqlDatabase):
        pytest.skip("SQLite keeps a key for each column")
    first, first_step = in_connection(started_task, "a")
    second, step_of_second = in_connection(started_task, "b")

    with pytest.raises(Exception, match="execution_step_key"):
        in_connection(written_executions, first, step_of_second, 3)
    with pytest.raises(peewee.IntegrityError, match="execution_step_key"):
        in_connection(
            lambda: (
                Execution.update(subtask=step_of_second).where(Execution.task == first).execute()
            )
        )
    with pytest.raises(peewee.IntegrityError, match="execution_step_key"):
        moved = Subtask.update(task=second, position=9).where(Subtask.id == first_step)
        in_connection(moved.execute)

    assert [(e.node, e.subtask_id) for e in in_connection(tasks.executions, first)] == [
        ("n1", first_step)
    ]
    assert len(in_connection(tasks.executions, second)) == 1


def test_deleting_a_task_or_a_step_row_deletes_their_executions(
    backend: peewee.Database,
) -> None:
    first, first_step = in_connection(started_task, "a")
    second, second_step = in_connection(started_task, "b")
    third, _ = in_connection(started_task, "c")
    in_connection(written_executions, first, first_step, 2)
    in_connection(written_executions, second, second_step, 2)

    in_connection(lambda: Task.delete().where(Task.id == first).execute())
    in_connection(lambda: Subtask.delete().where(Subtask.id == second_step).execute())

    left = in_connection(lambda: [e.task_id for e in Execution.select()])
    assert left == [third]


def test_a_step_deleted_while_its_executions_are_written_takes_them_along_on_postgresql(
    backend: peewee.Database,
) -> None:
    """The race a per-row key closes: the step's DELETE waits for the writer (the check's
    lock) and then deletes what it committed; no execution is left without its step."""
    if not isinstance(backend, PooledPostgresqlDatabase):
        pytest.skip("a PostgreSQL lock")
    task_id, step_id = in_connection(started_task, "a")
    url = pg.database_url(pg.server_url(), backend.database)
    writer, deleter = psycopg2.connect(url), psycopg2.connect(url)
    try:
        with writer.cursor() as cur:
            rows = taskstart._execution_rows(task_id, step_id, [Placement("x", "s1")], utcnow())
            cur.execute(taskstart.INSERT_ONE.replace("?", "%s"), rows[0])
        deleted = threading.Thread(
            target=lambda: deleter.cursor().execute("DELETE FROM subtask WHERE id = %s", (step_id,))
        )
        deleted.start()
        deleted.join(0.5)
        waited = deleted.is_alive()
        writer.commit()
        deleted.join(30)
        deleter.commit()
    finally:
        writer.close()
        deleter.close()

    assert waited
    assert in_connection(tasks.executions, task_id) == []


def test_the_step_key_migration_keeps_executions_and_refuses_a_mismatched_one(
    backend: peewee.Database,
) -> None:
    """0029 on a database written before it: executions stay, the two keys become the step
    key; an execution naming another task's step (possible before) stops it, nothing changed."""
    if not isinstance(backend, PooledPostgresqlDatabase):
        pytest.skip("a PostgreSQL key")
    runner = Runner(backend, str(MIGRATIONS_DIR))
    step_key = next(m for m in runner.migrations() if m.name.endswith("_execution_step_key"))
    keys_sql = (
        "SELECT conname FROM pg_constraint WHERE conrelid = 'execution'::regclass "
        "AND contype = 'f' UNION ALL SELECT tgname FROM pg_trigger "
        "WHERE tgrelid = 'execution'::regclass AND NOT tgisinternal ORDER BY 1"
    )

    def keys() -> list[str]:
        return [name for (name,) in backend.execute_sql(keys_sql).fetchall()]

    def before_and_after() -> tuple[list[str], list[str], int]:
        task_id, _ = started_task("a")
        step_key.load().down(runner.migrator, backend)
        before = keys()
        with backend.atomic():
            step_key.load().up(runner.migrator, backend)
        return before, keys(), len(tasks.executions(task_id))

    before, after, kept = in_connection(before_and_after)
    assert before == ["execution_subtask_id_fkey", "execution_task_id_fkey"]
    assert after == ["execution_step_key", "execution_step_key_update"] and kept == 1

    def mismatched() -> list[str]:
        first, _ = started_task("b")
        _, step_of_second = started_task("c")
        step_key.load().down(runner.migrator, backend)
        written_executions(first, step_of_second, 1)  # the two keys let it in
        with pytest.raises(peewee.IntegrityError, match="names no step of its task"):
            with backend.atomic():
                step_key.load().up(runner.migrator, backend)
        return keys()

    assert in_connection(mismatched) == ["execution_subtask_id_fkey", "execution_task_id_fkey"]

def test_output_the_master_compressed_reads_as_written(backend: peewee.Database) -> None:
    """Migration 0030 and store/chunkdata.py: on either database (PostgreSQL takes the rows
    by binary COPY, the codec with them)."""

    def stored() -> int:
        eid = new_execution()
        logs.append([Chunk(eid, 0, TEXT), Chunk(eid, 1, b"e" * 5000, True)])
        return eid

    eid = in_connection(stored)

    assert in_connection(logs.read, eid, 0, 1 << 20) == (TEXT + b"e" * 5000, 2)
    assert in_connection(logs.read, eid, 0, 1 << 20, True) == (b"e" * 5000, 2)


def test_going_below_0030_writes_compressed_output_back_as_written(
    backend: peewee.Database,
) -> None:
    runner = Runner(backend, str(MIGRATIONS_DIR))
    codec = next(m for m in runner.migrations() if m.name.endswith("_log_chunk_codec")).load()

    def down_and_up() -> int:
        eid = new_execution()
        logs.append([Chunk(eid, 0, TEXT), Chunk(eid, 1, b"bye\n")])
        codec.down(runner.migrator, backend)
        codec.up(runner.migrator, backend)
        return eid

    eid = in_connection(down_and_up)

    assert in_connection(logs.read, eid, 0, 1 << 20) == (TEXT + b"bye\n", 2)
