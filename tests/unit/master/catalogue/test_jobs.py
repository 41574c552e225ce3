"""Saving a job: its step uuids, the variables its steps name (created empty, tagged by
deployenv, values and rows kept on edit), whether a run needs variables; node group plugins;
the shared project's scripts, read-only from other projects."""

from __future__ import annotations

import re

import peewee
import pytest

from master.catalogue import rules
from master.catalogue.jobs import list_jobs, save_job
from master.catalogue.steps import checked
from master.db.models import Project, Script
from master.domain import (
    ListFilter,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
    VariableInput,
)
from master.errors import InvalidArgument, NotFound
from master.store import catalogue, jobs, projects
from master.tasks.plan import plan

SHORT_UUID = re.compile(r"[A-Za-z0-9]{12}")
N1 = Selector(SelectorType.BUILTIN, "n1")


def cmd(
    name: str = "s",
    nodes: Selector = N1,
    args: str = "",
    script: str = "true",
    uuid: str = "",
    deployenv: str = "",
    batches: str = "",
) -> Step:
    return Step(
        kind=StepKind.CMD,
        name=name,
        nodes=nodes,
        script=script,
        args=args,
        uuid=uuid,
        deployenv=deployenv,
        batches=batches,
    )


def copy(sp: str, dp: str, deployenv: str = "") -> Step:
    return Step(
        kind=StepKind.SCP,
        name="ship",
        src=N1,
        src_path=sp,
        dst=N1,
        dst_path=dp,
        deployenv=deployenv,
    )


@pytest.fixture
def machine(database: peewee.Database) -> None:
    rules.create_node(1, "n1", "10.0.0.1", "", 0, "", "me")


def variables(job_uuid: str, env: str = "") -> dict[str, tuple[str, str]]:
    _, rows = rules.list_variables(1, job_uuid, "", False, [], env)
    return {v.name: (v.value, v.env) for v in rows}


def test_new_steps_get_short_uuids_a_copy_new_ones_an_edit_keeps_them(machine: None) -> None:
    made = save_job(1, "a", True, [cmd(uuid="FromAnotherJob1")], "me")
    copied = save_job(1, "b", True, made.steps, "me")
    edited = save_job(1, "a", True, [*made.steps, cmd("t")], "me", made.row.uuid)

    assert SHORT_UUID.fullmatch(made.row.uuid) and SHORT_UUID.fullmatch(made.steps[0].uuid)
    assert made.steps[0].uuid != "FromAnotherJob1"
    assert copied.steps[0].uuid != made.steps[0].uuid
    assert edited.steps[0].uuid == made.steps[0].uuid and SHORT_UUID.fullmatch(edited.steps[1].uuid)


def test_saving_creates_the_variables_the_steps_name_tagged_by_deployenv(machine: None) -> None:
    steps = [
        cmd(
            nodes=Selector(SelectorType.VARIABLE, "$ip"),
            args="--v ${version} $mode",
            deployenv="test",
        ),
        copy("/out/${pkg}", "/srv/$dir", deployenv="online"),
        cmd("c", args="${version}", deployenv="online", script="echo ${in_script}"),
    ]

    job = save_job(1, "a", True, steps, "me")

    assert variables(job.row.uuid) == {
        "ip": ("", "test"),
        "mode": ("", "test"),
        "version": ("", ""),  # used by test and online steps alike
        "pkg": ("", "online"),
        "dir": ("", "online"),
    }
    assert set(variables(job.row.uuid, env="test")) == {"ip", "mode", "version"}
    assert set(variables(job.row.uuid, env="online")) == {"version", "pkg", "dir"}
    assert job.needs_variables


def test_an_edit_keeps_every_row_and_value_and_adds_the_new_names(machine: None) -> None:
    job = save_job(1, "a", True, [cmd(args="${a}")], "me")
    items = [VariableInput("a", "1", "first", "1,2"), VariableInput("mine", "x")]
    rules.save_variables(1, job.row.uuid, items)

    edited = save_job(1, "a", True, [cmd(args="${b}")], "me", job.row.uuid)
    _, rows = rules.list_variables(1, job.row.uuid, "", False, [])

    assert [(v.name, v.value, v.describe, v.option) for v in rows] == [
        ("a", "1", "first", "1,2"),
        ("mine", "x", "", ""),
        ("b", "", "", ""),
    ]
    assert edited.needs_variables
    rules.save_variables(1, job.row.uuid, [VariableInput("b", "2")])
    [listed], _ = list_jobs(1, ListFilter())
    assert not listed.needs_variables


def test_a_name_only_the_script_uses_needs_a_value_but_gets_no_row(machine: None) -> None:
    job = save_job(1, "a", True, [cmd(script="echo ${s}")], "me")

    assert variables(job.row.uuid) == {} and job.needs_variables
    rules.save_variable(1, job.row.uuid, "s", "1", "")
    assert not list_jobs(1, ListFilter())[0][0].needs_variables


def test_a_bad_name_or_condition_is_refused_naming_the_step_field(machine: None) -> None:
    with pytest.raises(InvalidArgument) as name:
        save_job(1, "a", True, [cmd(args="${" + "x" * 200 + "}")], "me")
    with pytest.raises(InvalidArgument) as word:
        checked([cmd(), cmd(batches="sometimes")])

    with pytest.raises(InvalidArgument) as many:
        save_job(1, "a", True, [cmd(args=" ".join(f"$v{i}" for i in range(1001)))], "me")

    assert name.value.field == "steps[0].args"
    assert many.value.field == "steps"
    assert word.value.field == "steps[1].batches"
    assert jobs.search(1, ListFilter()) == ([], 0)


def test_a_variable_selector_takes_openc3s_dollar_form(machine: None) -> None:
    [planned] = plan(1, [cmd(nodes=Selector(SelectorType.VARIABLE, "$ip"))], {"ip": "n1"})

    assert planned.nodes == ["n1"]
    with pytest.raises(InvalidArgument, match="ip"):
        plan(1, [cmd(nodes=Selector(SelectorType.VARIABLE, "${ip}"))], {})


def test_openc3_group_plugins_answer_their_word(machine: None) -> None:
    node = rules.save_group(1, "by name", "node", "n1, 10.0.0.1", "me")
    typed = rules.save_group(1, "by type", "type", "web,db", "me")

    assert (node.plugin, typed.plugin) == ("node", "type")
    assert rules.resolve_group(1, node.id) == ["n1", "10.0.0.1"]
    with pytest.raises(InvalidArgument, match="no type") as err:
        rules.resolve_group(1, typed.id)
    assert err.value.field == "plugin"
    with pytest.raises(InvalidArgument):
        rules.save_group(1, "odd", "ldap", "x", "me")


@pytest.fixture
def shared_script(database: peewee.Database) -> Script:
    """A script of project 0, the shared project (made here: its row comes with another part's
    migration)."""
    Project.insert(id=0, name="shared").on_conflict_ignore().execute()
    return catalogue.create(
        Script, "name", "admin", project=0, name="common", type="shell", content="uptime"
    )


def test_shared_scripts_are_listed_and_read_from_every_project(shared_script: Script) -> None:
    other = projects.create_project("second")
    rules.save_script(other.id, "theirs", ScriptType.SHELL, "id", "them")
    rules.save_script(1, "mine", ScriptType.SHELL, "ls", "me")

    listed, total = catalogue.scripts(1, ListFilter())

    assert [(s.name, s.project_id) for s in listed] == [("common", 0), ("mine", 1)] and total == 2
    assert catalogue.readable_script(1, shared_script.id).content == "uptime"
    with pytest.raises(NotFound):
        catalogue.readable_script(1, catalogue.scripts(other.id, ListFilter())[0][-1].id)


def test_a_project_cannot_write_a_shared_script(shared_script: Script) -> None:
    with pytest.raises(NotFound):
        rules.save_script(1, "mine now", ScriptType.SHELL, "rm -rf /", "me", shared_script.id)
    with pytest.raises(NotFound):
        catalogue.delete(Script, 1, shared_script.id, "script")

    kept = Script.get_by_id(shared_script.id)
    assert (kept.name, kept.content, kept.project_id) == ("common", "uptime", 0)
