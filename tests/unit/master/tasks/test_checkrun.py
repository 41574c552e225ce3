"""A dry run (RunOptions.check): no slave is sent anything; each execution ends success at once,
its output saying what would run; a pause does not wait; what the master can tell would fail
(a node no slave reaches, a file gone from the file server) fails as for real; a redo is a dry
run again."""

from __future__ import annotations

import pytest

from master.catalogue.rules import create_account, create_node, save_job
from master.db.models import Execution, Task
from master.domain import (
    CommandSpec,
    Control,
    JobSubmission,
    RunMode,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
    TaskStatus,
)
from master.errors import InvalidArgument
from master.store import files, logs, tasks
from tests.unit.master.mastertest import Core, PlayedSlave, seen_slaves

CHECK = RunMode(check=True)
SHA = "ab" * 32


def output(row: Execution) -> str:
    data, _ = logs.read(row.id, 0, 1 << 20)
    return data.decode()


def copy_step(src: Selector, src_path: str, dst: str) -> Step:
    return Step(
        kind=StepKind.SCP,
        name="copy",
        user="deploy",
        src=src,
        src_path=src_path,
        dst=Selector(SelectorType.BUILTIN, dst),
        dst_path="/srv/app/",
        chown="app:app",
        chmod="0640",
    )


def nothing_sent(*slaves: PlayedSlave) -> bool:
    return all(s.queued() == [] for s in slaves)


def test_a_command_says_what_would_run_on_each_node_and_sends_nothing(core: Core) -> None:
    create_node(1, "db9", "10.0.0.9", "", 2222, "web1", "me")
    create_account(1, "deploy", "", "s3cret-pw", "me", core.secrets)
    spec = CommandSpec(
        1,
        "check",
        "me",
        "deploy",
        ("web1", "db9"),
        ScriptType.PYTHON,
        "import os\nos.mknod('/tmp/x')\n",
        args=("--fast", "two words"),
        mode=CHECK,
    )

    async def scenario() -> tuple[Task, bool]:
        web1 = await core.attach("web1", run_as=("deploy",))
        task = await core.engine.submit_command(spec)
        return await core.until(task, TaskStatus.SUCCESS), nothing_sent(web1)

    task, quiet = core.run(scenario())

    rows = tasks.executions(task.id)
    assert quiet and task.check_only
    assert [(r.node, r.status, r.exit_code, r.chunk_count) for r in rows] == [
        ("web1", "success", 0, 1),
        ("db9", "success", 0, 1),
    ]
    local, remote = output(rows[0]), output(rows[1])
    assert local.startswith("[check mode] nothing was sent to any machine")
    for line in (
        "run this on web1",
        "slave: web1 (the node itself)",
        "account: deploy",
        "interpreter: python3",
        "args: --fast 'two words'",
        "script:\nimport os\nos.mknod('/tmp/x')\n",
    ):
        assert line in local
    assert "slave: web1, over SSH as deploy@10.0.0.9:2222" in remote
    assert "s3cret-pw" not in remote
    assert all(r.started_at is not None and r.finished_at is not None for r in rows)


def test_a_job_does_not_wait_at_its_pause_and_its_copy_says_what_would_be_placed(
    core: Core,
) -> None:
    seen_slaves("web1", "web2")
    files.save(1, "app.tgz", SHA, 4096, "me")
    steps = [
        Step(
            kind=StepKind.CMD,
            name="canary",
            nodes=Selector(SelectorType.BUILTIN, "web1"),
            script="touch /tmp/canary",
            pause="look at the canary",
        ),
        copy_step(Selector(SelectorType.FILESERVER, ""), "app.tgz", "web1,web2"),
    ]
    job, _ = save_job(1, "job", True, steps, "me")

    async def scenario() -> tuple[Task, bool]:
        web1 = await core.attach("web1", run_as=("deploy",))
        web2 = await core.attach("web2", run_as=("deploy",))
        task, _ = await core.engine.submit_job(JobSubmission(1, job.uuid, mode=CHECK))
        return await core.until(task, TaskStatus.SUCCESS), nothing_sent(web1, web2)

    task, quiet = core.run(scenario())

    canary, place1, place2 = tasks.executions(task.id)
    assert quiet
    assert [s.status for s in tasks.subtasks(task.id)] == ["success", "success"]
    assert "then: the task would wait for `next` (pause: look at the canary)" in output(canary)
    placed = output(place2)
    for line in (
        "copy this onto web2",
        f"source: the file server, app.tgz (4096 bytes, sha256 {SHA[:12]}",
        "destination: web2:/srv/app/",
        "owner: app:app",
        "mode: 0640",
        "account: deploy",
    ):
        assert line in placed
    assert (place1.role, place1.status, place1.blob) == ("place", "success", SHA)


def test_a_copy_between_machines_shows_the_fetch_and_every_place_at_once(core: Core) -> None:
    step = copy_step(Selector(SelectorType.BUILTIN, "db1"), "/etc/app.conf", "web1,web2")

    async def scenario() -> tuple[Task, bool]:
        slaves = [await core.attach(n, run_as=("deploy",)) for n in ("db1", "web1", "web2")]
        task = await core.engine.submit_copy(1, "conf", "me", "api", step, {}, CHECK)
        return await core.until(task, TaskStatus.SUCCESS), nothing_sent(*slaves)

    task, quiet = core.run(scenario())

    rows = tasks.executions(task.id)
    assert quiet
    assert [(r.node, r.role, r.status) for r in rows] == [
        ("db1", "fetch", "success"),
        ("web1", "place", "success"),
        ("web2", "place", "success"),
    ]
    assert "source: db1:/etc/app.conf" in output(rows[0])
    assert "source: db1:/etc/app.conf" in output(rows[2])
    assert "destination: web2:/srv/app/" in output(rows[2])


def test_what_would_fail_for_real_fails_the_dry_run(core: Core) -> None:
    seen_slaves("web1", "web2")
    stored = files.save(1, "app.tgz", SHA, 10, "me")
    steps = [
        Step(
            kind=StepKind.CMD,
            name="both",
            nodes=Selector(SelectorType.BUILTIN, "web1,web2"),
            script="true",
        ),
        copy_step(Selector(SelectorType.FILESERVER, ""), "app.tgz", "web1"),
    ]
    job, _ = save_job(1, "job", True, steps, "me")
    gone = copy_step(Selector(SelectorType.FILESERVER, ""), "gone.tgz", "web1")

    async def scenario() -> tuple[Task, Task, str]:
        await core.attach("web1", run_as=("deploy",))
        task, _ = await core.engine.submit_job(JobSubmission(1, job.uuid, mode=CHECK))
        at_first = await core.until(task, TaskStatus.DECISION)  # web2 has no slave attached
        await core.run_db(files.delete, 1, stored.id)
        first = (await core.run_db(tasks.subtasks, task.id))[0]
        await core.engine.control(1, task.uuid, first.uuid, Control.NEXT, "me")
        with pytest.raises(InvalidArgument) as refused:
            await core.engine.submit_copy(1, "c", "me", "api", gone, {}, CHECK)
        return at_first, await core.until(task, TaskStatus.DECISION), refused.value.field

    at_first, at_copy, refused = core.run(scenario())

    web1, web2, place = tasks.executions(at_copy.id)
    assert (at_first.position, at_copy.position) == (0, 1)
    assert (web1.status, web2.status) == ("success", "fail")
    assert "slave web2 is not attached" in web2.reason
    assert (place.status, place.chunk_count) == ("fail", 0)
    assert "app.tgz" in place.reason
    assert refused == "scp.src_path"  # a file missing at submit: refused, as for real


def test_a_redo_of_a_dry_run_is_a_dry_run(core: Core) -> None:
    spec = CommandSpec(1, "c", "me", "", ("web1",), ScriptType.SHELL, "true", mode=CHECK)

    async def scenario() -> tuple[Task, bool]:
        web1 = await core.attach("web1")
        first = await core.engine.submit_command(spec)
        await core.until(first, TaskStatus.SUCCESS)
        redo = await core.engine.redo(1, first.uuid, "me")
        return await core.until(redo, TaskStatus.SUCCESS), nothing_sent(web1)

    redo, quiet = core.run(scenario())

    assert quiet and redo.check_only and redo.forks == 0
