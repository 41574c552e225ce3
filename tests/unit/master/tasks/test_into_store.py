"""A copy from a machine into the project's file server (OpenC3's scp `dst_type: fileserver`):
planned on its one source, `dp` naming the file (or, ending in `/`, `sp`'s name), fetched by
that machine's slave and then kept in the file server (created or replaced, edited by the
submitter)."""

from __future__ import annotations

import peewee
import pytest

from master.catalogue.rules import create_node, save_job
from master.db.models import Task
from master.domain import Blob, CopyOrder, Selector, SelectorType, Step, StepKind, TaskStatus
from master.errors import InvalidArgument
from master.store import files, tasks
from master.tasks.plan import copy_field, plan
from tests.unit.master.mastertest import Core

SHA = "ab" * 32


def into_store(src: str = "db1", sp: str = "/var/log/app.log", dp: str = "app.log") -> Step:
    """As OpenC3's send-file page sends it: `dst` names the machine again (not read)."""
    return Step(
        kind=StepKind.SCP,
        name="keep",
        src=Selector(SelectorType.BUILTIN, src),
        src_path=sp,
        dst=Selector(SelectorType.FILESERVER, src),
        dst_path=dp,
    )


@pytest.fixture
def machines(database: peewee.Database) -> None:
    create_node(1, "db1", "10.0.0.1", "", 0, "", "me")
    create_node(1, "db2", "10.0.0.2", "", 0, "", "me")


@pytest.mark.parametrize(
    ("dp", "name"), [("app.log", "app.log"), ("/tmp/abc/", "app.log"), ("${n}.log", "x.log")]
)
def test_the_copy_runs_on_its_source_and_dp_names_the_file(
    machines: None, dp: str, name: str
) -> None:
    [planned] = plan(1, [into_store(src="10.0.0.1", dp=dp)], {"n": "x"})

    assert (planned.nodes, planned.source, planned.step.dst_path) == (["db1"], "db1", name)


@pytest.mark.parametrize(
    ("step", "field"),
    [
        (into_store(src="db1,db2"), "scp.src"),
        (into_store(dp="logs/app.log"), "scp.dst_path"),
        (into_store(dp="${n}"), "scp.dst_path"),
        (into_store(dp="/tmp/", sp="/"), "scp.src_path"),
    ],
)
def test_more_than_one_machine_or_a_name_that_is_no_plain_file_is_refused(
    machines: None, step: Step, field: str
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        plan(1, [step], {"n": "../app.log"}, copy_field)

    assert caught.value.field == field


def test_a_job_copies_into_the_file_server_from_a_machine_only(machines: None) -> None:
    from_store = Step(
        kind=StepKind.SCP,
        name="loop",
        src=Selector(SelectorType.FILESERVER, ""),
        src_path="app.log",
        dst=Selector(SelectorType.FILESERVER, ""),
        dst_path="copy.log",
    )

    with pytest.raises(InvalidArgument) as caught:
        save_job(1, "job", True, [into_store(), from_store], "me")

    assert caught.value.field == "steps[1].src"


def keep(core: Core, blob: Blob, submitter: str = "alice") -> tuple[CopyOrder, Task]:
    async def scenario() -> tuple[CopyOrder, Task]:
        db1 = await core.attach("db1")
        task = await core.engine.submit_copy(1, "keep", submitter, "api", into_store(), {})
        fetch = await db1.order()
        assert isinstance(fetch, CopyOrder)
        await db1.complete(fetch, fetched=blob)
        return fetch, await core.until(task, TaskStatus.SUCCESS, TaskStatus.FAIL)

    return core.run(scenario())


def test_the_fetched_file_is_kept_in_the_file_server_edited_by_the_submitter(
    core: Core, machines: None
) -> None:
    fetch, task = keep(core, Blob(SHA, 321))

    assert (fetch.path, fetch.blob) == ("/var/log/app.log", None)  # a fetch, on db1
    assert task.status == "success"
    row = files.by_name(1, "app.log")
    assert (row.sha256, row.size, row.create_user, row.edit_user) == (SHA, 321, "alice", "alice")
    assert [(r.node, r.role, r.status) for r in tasks.executions(task.id)] == [
        ("db1", "fetch", "success")
    ]


def test_a_name_taken_is_replaced(core: Core, machines: None) -> None:
    files.save(1, "app.log", "cd" * 32, 5, "bob")

    _, task = keep(core, Blob(SHA, 321), submitter="carol")

    row = files.by_name(1, "app.log")
    assert (task.status, row.sha256, row.size) == ("success", SHA, 321)
    assert (row.create_user, row.edit_user) == ("bob", "carol")


def test_a_directory_fails_the_step_naming_it_and_keeps_nothing(core: Core, machines: None) -> None:
    _, task = keep(core, Blob(SHA, 10240, archive=True))

    assert task.status == "fail"
    assert "/var/log/app.log is a directory: the file server keeps files" in task.reason
    with pytest.raises(Exception, match="no file 'app.log'"):
        files.by_name(1, "app.log")
