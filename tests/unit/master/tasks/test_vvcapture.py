"""Version variables taken from output as it is stored: once per match however chunks are cut,
resent or carried across a master restart; cmd steps only; both streams."""

from __future__ import annotations

import logging

import peewee
import pytest

from master.db.models import VersionVariable
from master.domain import Chunk, JobType, NewStep, NewTask, Placement, StepKind
from master.store import slaves, tasks, vv
from master.tasks.vvcapture import OutputCapture


def new_execution(kind: StepKind = StepKind.CMD, node: str = "web-1", project: int = 1) -> int:
    slaves.register("s1", "host", [], "test")
    step = NewStep("step1", kind, "", 1, {})
    new = NewTask(project, "t", "me", "api", JobType.PLUGIN_CMD, {}, [step], {})
    task = tasks.create(new)
    rows = tasks.start_step(task.id, 0, [Placement(node, "s1")])
    return int(rows[0].id)


def values(project: int = 1) -> dict[tuple[str, str], str]:
    return {(v.node, v.name): v.value for v in vv.listed(project)}


def test_matches_split_over_chunks_and_streams_are_written_once(database: peewee.Database) -> None:
    eid = new_execution()
    capture = OutputCapture()
    capture.append([Chunk(eid, 0, b"VERSION:[release-2."), Chunk(eid, 1, b"warn bui", True)])
    capture.append([Chunk(eid, 2, b"1.0] ok\n"), Chunk(eid, 3, b"ld:[b42]\n", True)])
    assert values() == {("web-1", "VERSION"): "release-2.1.0", ("web-1", "build"): "b42"}


def test_a_resent_chunk_is_not_scanned_again_and_a_later_match_wins(
    database: peewee.Database,
) -> None:
    eid = new_execution()
    capture = OutputCapture()
    capture.append([Chunk(eid, 0, b"VERSION:[1]\n")])
    first = VersionVariable.get()
    capture.append([Chunk(eid, 1, b"VERSION:[2] VERSION:[3]\n")])
    capture.append([Chunk(eid, 0, b"VERSION:[1]\n")])  # resent after a reconnect: dropped
    row = VersionVariable.get()
    assert (row.id, row.value) == (first.id, "3")
    assert row.update_time >= first.update_time


def test_after_a_restart_the_unfinished_end_is_read_back_from_the_stored_log(
    database: peewee.Database,
) -> None:
    eid = new_execution()
    OutputCapture().append([Chunk(eid, 0, b"deploying VERS")])
    OutputCapture().append([Chunk(eid, 1, b"ION:[v9]\n")])  # a new master: nothing in memory
    assert values() == {("web-1", "VERSION"): "v9"}


def test_copies_write_nothing_and_too_long_values_are_logged_not_kept(
    database: peewee.Database, caplog: pytest.LogCaptureFixture
) -> None:
    copy = new_execution(StepKind.SCP)
    cmd = new_execution(node="db-1")
    capture = OutputCapture()
    with caplog.at_level(logging.WARNING, "master.tasks.vvcapture"):
        capture.append([Chunk(copy, 0, b"VERSION:[1]\n")])
        capture.append([Chunk(cmd, 0, b"VERSION:[" + b"v" * 101 + b"] ok:[1]\n")])
    assert values() == {("db-1", "ok"): "1"}
    assert "version variable VERSION not kept: value longer than 100 characters" in caplog.text
