"""A task's log entries: each execution's output and each operator's note in one list under one
id sequence (2 x execution id, 2 x note id + 1), filtered, ordered and paged in SQL, each text
read up to a bound; notes added, rewritten, moved and removed within the project only, machine
output never changed; each task counts its notes."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import peewee
import pytest

from master.db.connection import DbRunner, in_connection, open_database
from master.db.models import Execution, Task, TaskNote
from master.db.schema import migrate
from master.domain import (
    NO_PROJECT,
    Chunk,
    JobType,
    NewStep,
    NewTask,
    Placement,
    StepKind,
    split_entry_ids,
)
from master.errors import FailedPrecondition, InvalidArgument, NotFound
from master.store import logs, projects, slaves, tasks
from master.store import notes as notes_store
from master.store import runlogs as runlogs_store
from master.tasks import runlogs
from master.tasks.events import TaskEvents
from master.tasks.notes import TaskNotes
from master.tasks.queries import TaskQueries
from master.tasks.runlogs import LogEntry, RunLogQuery, RunLogs
from tests import pg

T = TypeVar("T")


class Notes:
    """The reads and the changes over the test's database."""

    def __init__(self) -> None:
        self.run_db = DbRunner(2)
        self.logs = RunLogs(self.run_db)
        events = TaskEvents()
        self.notes = TaskNotes(self.run_db, self.logs, events)
        self.queries = TaskQueries(self.run_db, events)

    def run(self, call: Coroutine[Any, Any, T]) -> T:
        return asyncio.run(call)

    def search(self, project_id: int = 1, **asked: Any) -> tuple[list[LogEntry], int]:
        return self.run(self.logs.search(RunLogQuery(project_id, **asked)))

    def ids(self, project_id: int = 1, **asked: Any) -> list[int]:
        return [e.id for e in self.search(project_id, **asked)[0]]

    def add(self, task: Task, text: str = "a note", project_id: int = 1) -> LogEntry:
        return self.run(self.notes.add(project_id, task.id, text, "ops"))


@pytest.fixture
def notes(database: peewee.Database) -> Iterator[Notes]:
    made = Notes()
    yield made
    made.run_db.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def on_both(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Notes]:
    """`Notes` on a fresh database of each backend (the list is one UNION of subqueries)."""
    if request.param == "sqlite":
        url, drop = str(tmp_path / "jobfleet.db"), ""
    else:
        if not pg.server_url():
            pytest.skip("PostgreSQL: JOBFLEET_TEST_DB is not set (scripts/test sets it)")
        url = drop = pg.create_database(pg.server_url())
    database = open_database(url, pool_size=2)
    in_connection(migrate, database)
    made = Notes()
    yield made
    made.run_db.close()
    if drop:
        pg.drop_database(drop)


def ran(project_id: int, *outputs: bytes, at: dt.datetime | None = None) -> tuple[Task, list[int]]:
    """A task whose one step ran on one node per output (web1, web2, ...), each printing it."""
    nodes = [f"web{i + 1}" for i in range(len(outputs))]
    for node in nodes:
        slaves.register(node, node, [], "test")
    step = NewStep("step1", StepKind.CMD, "", len(nodes), {})
    task = tasks.create(NewTask(project_id, "t", "me", "api", JobType.PLUGIN_CMD, {}, [step], {}))
    rows = tasks.start_step(task.id, 0, [Placement(n, n) for n in nodes])
    for row, output in zip(rows, outputs, strict=True):
        logs.append([Chunk(row.id, 0, output)])
        if at is not None:
            Execution.update(created_at=at).where(Execution.id == row.id).execute()
    return task, [int(r.id) for r in rows]


def test_outputs_and_notes_are_one_list_by_id_descending_paged_with_a_total(
    notes: Notes,
) -> None:
    first, (e1, e2) = ran(1, b"one\n", b"two\n")
    note = notes.add(first, "looked at it")
    second, (e3,) = ran(1, b"three\n")

    listed, total = notes.search()
    page, _ = notes.search(limit=2, offset=1)

    assert total == 4
    assert (e1, e2, e3, note.id) == (1, 2, 3, 3)  # one id sequence per kind: they interleave
    assert [e.id for e in listed] == [2 * e3, 2 * e2, note.id, 2 * e1]
    assert note.note is not None and note.task_id == first.id
    assert [e.text for e in listed] == [b"three\n", b"two\n", b"looked at it", b"one\n"]
    assert [e.id for e in page] == [2 * e2, note.id]
    output = listed[0]
    assert output.execution is not None and output.execution.node == "web1"
    assert output.step_uuid and output.task_id == second.id and not output.truncated


def test_entries_are_ordered_by_any_key_both_ways_ties_by_id(on_both: Notes) -> None:
    notes = on_both
    old = dt.datetime(2020, 1, 1)
    first, (e1, e2) = in_connection(ran, 1, b"a", b"b", at=old)
    _, (e3,) = in_connection(ran, 1, b"c", at=old - dt.timedelta(days=1))
    note = notes.add(first)  # created now: the newest

    assert notes.ids(order_by=["id"]) == sorted([2 * e1, 2 * e2, 2 * e3, note.id])
    assert notes.ids(order_by=["created_at"]) == [2 * e3, 2 * e1, 2 * e2, note.id]
    assert notes.ids(order_by=["-created_at"]) == [note.id, 2 * e2, 2 * e1, 2 * e3]
    assert notes.ids(order_by=["-task_id", "id"]) == [2 * e3, 2 * e1, note.id, 2 * e2]
    assert notes.ids(order_by=["task_id", "-created_at"]) == [note.id, 2 * e1, 2 * e2, 2 * e3]
    assert notes.ids(order_by=["created_at"], limit=2, offset=1) == [2 * e1, 2 * e2]


def test_an_unknown_sort_key_or_bad_bound_names_its_field(notes: Notes) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"order_by": ["ctime"]}, "order_by"),
        ({"limit": -1}, "limit"),
        ({"offset": -1}, "offset"),
        ({"max_bytes": -1}, "max_bytes"),
        ({"ids": list(range(1, 1002))}, "ids"),
    ]
    for asked, field in cases:
        with pytest.raises(InvalidArgument) as refused:
            notes.search(**asked)
        assert refused.value.field == field


def test_entries_are_filtered_by_task_and_ids_within_the_project(notes: Notes) -> None:
    other = int(projects.create_project("second").id)
    mine, (e1, e2) = ran(1, b"a", b"b")
    note = notes.add(mine)
    theirs, (e3,) = ran(other, b"secret")
    their_note = notes.add(theirs, "theirs", project_id=other)

    assert notes.ids(task_id=mine.id) == [2 * e2, note.id, 2 * e1]
    assert notes.ids(ids=[2 * e1, note.id, 2 * e3, their_note.id, 999_999]) == [note.id, 2 * e1]
    assert notes.ids(task_id=theirs.id) == []
    assert notes.search(other)[1] == 2
    assert set(notes.ids(NO_PROJECT)) == {2 * e1, 2 * e2, note.id, 2 * e3, their_note.id}
    with pytest.raises(NotFound):
        notes.search(12345)


def test_texts_are_read_up_to_the_bound_saying_when_they_go_on(notes: Notes) -> None:
    task, (eid,) = ran(1, b"")
    logs.append([Chunk(eid, seq, bytes([96 + seq]) * 10) for seq in range(1, 40)])
    note = notes.add(task, "0123456789")

    whole, _ = notes.search(max_bytes=1000)
    cut, _ = notes.search(max_bytes=25)
    exact, _ = notes.search(max_bytes=390)

    assert whole[1].text == b"".join(bytes([96 + s]) * 10 for s in range(1, 40))
    assert not whole[1].truncated and not whole[0].truncated
    assert (cut[1].text, cut[1].truncated) == (b"a" * 10 + b"b" * 10 + b"c" * 5, True)
    assert (cut[0].text, cut[0].truncated) == (note.text, False)
    assert (len(exact[1].text), exact[1].truncated) == (390, False)
    assert runlogs_store.output_head(eid, 9) == (b"a" * 9, True)


def test_a_gap_ends_an_output_read_and_a_page_shares_one_text_budget(
    notes: Notes, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, (e1, e2) = ran(1, b"1234", b"abcd")
    logs.append([Chunk(e1, 2, b"after a gap")])
    monkeypatch.setattr(runlogs, "MAX_ANSWER_TEXT", 6)

    listed, _ = notes.search(order_by=["id"])

    assert [(e.text, e.truncated) for e in listed] == [(b"1234", True), (b"ab", True)]


def test_a_note_is_added_to_a_task_of_the_project_only(notes: Notes) -> None:
    other = int(projects.create_project("second").id)
    task, _ = ran(1, b"x")
    theirs, _ = ran(other, b"y")

    entry = notes.run(notes.notes.add(1, task.id, "€ deployed by hand", "  "))

    assert entry.note is not None and entry.note.author == "api"
    assert entry.text == "€ deployed by hand".encode()
    refusals = [
        (notes.notes.add(1, theirs.id, "x", "ops"), NotFound, "task_id"),
        (notes.notes.add(1, 0, "x", "ops"), InvalidArgument, "task_id"),
        (notes.notes.add(1, task.id, "", "ops"), InvalidArgument, "text"),
        (notes.notes.add(1, task.id, " \n ", "ops"), InvalidArgument, "text"),
        (notes.notes.add(1, task.id, "é" * 32769, "ops"), InvalidArgument, "text"),
        (notes.notes.add(1, task.id, "x", "a" * 256), InvalidArgument, "author"),
    ]
    for call, error, field in refusals:
        with pytest.raises(error) as refused:
            notes.run(call)
        assert refused.value.field == field
    assert notes.run(notes.notes.add(1, task.id, "x" * 65536, "ops")).text == b"x" * 65536
    assert TaskNote.select().count() == 2


def test_a_note_is_rewritten_or_moved_and_output_never_is(notes: Notes) -> None:
    other = int(projects.create_project("second").id)
    task, (eid,) = ran(1, b"machine said")
    later, _ = ran(1, b"")
    theirs, _ = ran(other, b"")
    note = notes.add(task, "first words")

    rewritten = notes.run(notes.notes.update(1, note.id, "second words", 0))
    moved = notes.run(notes.notes.update(1, note.id, "", later.id))

    assert (rewritten.text, rewritten.task_id) == (b"second words", task.id)
    assert (moved.text, moved.task_id) == (b"second words", later.id)
    assert moved.note is not None and moved.note.updated_at >= moved.note.created_at
    refusals = [
        (notes.notes.update(1, 2 * eid, "forged", 0), FailedPrecondition, "id"),
        (notes.notes.update(other, note.id, "x", 0), NotFound, "id"),
        (notes.notes.update(other, 2 * eid, "x", 0), NotFound, "id"),
        (notes.notes.update(1, 2 * 999_999, "x", 0), NotFound, "id"),
        (notes.notes.update(1, note.id, "x", theirs.id), NotFound, "task_id"),
        (notes.notes.update(NO_PROJECT, note.id, "x", theirs.id), NotFound, "task_id"),
        (notes.notes.update(1, note.id, "  ", 0), InvalidArgument, "text"),
        (notes.notes.update(1, 0, "x", 0), InvalidArgument, "id"),
    ]
    for call, error, field in refusals:
        with pytest.raises(error) as refused:
            notes.run(call)
        assert refused.value.field == field
    assert logs.read(eid, 0, 100)[0] == b"machine said"
    assert notes.search(ids=[note.id])[0][0].text == b"second words"


def test_output_refusal_says_machine_output_is_never_rewritten(notes: Notes) -> None:
    _, (eid,) = ran(1, b"machine said")

    with pytest.raises(FailedPrecondition) as refused:
        notes.run(notes.notes.update(1, 2 * eid, "forged", 0))

    assert "machine output is never rewritten" in str(refused.value)
    assert "web1" in str(refused.value)


def test_notes_are_deleted_all_or_none_and_output_never(notes: Notes) -> None:
    other = int(projects.create_project("second").id)
    task, (eid,) = ran(1, b"kept")
    theirs, _ = ran(other, b"")
    kept, gone, spare = (notes.add(task, w) for w in ("kept", "gone", "spare"))
    their_note = notes.add(theirs, "theirs", project_id=other)
    refusals = [
        ([gone.id, 2 * eid], FailedPrecondition),
        ([gone.id, their_note.id], NotFound),
        ([gone.id, 2 * 999_999], NotFound),
        ([gone.id, -3], InvalidArgument),
        ([], InvalidArgument),
    ]
    for ids, error in refusals:
        with pytest.raises(error) as refused:
            notes.run(notes.notes.delete(1, ids))
        assert refused.value.field == "ids"

    assert notes.run(notes.notes.delete(1, [gone.id, spare.id, gone.id])) == [gone.id, spare.id]
    assert notes.ids(task_id=task.id) == [kept.id, 2 * eid]
    assert notes.search(other)[1] == 2


def test_tasks_count_their_notes_and_take_them_along_when_removed(notes: Notes) -> None:
    first, _ = ran(1, b"")
    second, _ = ran(1, b"")
    for text in ("a", "b", "c"):
        notes.add(first, text)

    view = notes.run(notes.queries.view(first))
    counted = notes.run(notes.queries.note_counts([first.id, second.id, 999]))

    assert view.note_count == 3
    assert counted == {first.id: 3, second.id: 0, 999: 0}
    Task.delete().where(Task.id == first.id).execute()
    assert TaskNote.select().count() == 0
    assert notes_store.counts([first.id]) == {first.id: 0}


def test_entry_ids_split_by_parity() -> None:
    assert split_entry_ids([2, 3, 10, 11, 0, -2]) == ([1, 5], [1, 5])
