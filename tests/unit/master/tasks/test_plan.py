"""Planning a job: variables substituted everywhere, selectors resolved, unknown nodes named."""

from __future__ import annotations

import peewee
import pytest

from master.catalogue.rules import create_node, save_group
from master.catalogue.steps import checked
from master.catalogue.variables import RenderLimit
from master.domain import CommandSpec, ScriptType, Selector, SelectorType, Step, StepKind
from master.errors import InvalidArgument, ResourceExhausted
from master.store import slaves, tasks
from master.tasks import submit
from master.tasks.plan import plan


def cmd(nodes: Selector, script: str = "echo hi", args: str = "") -> Step:
    return Step(kind=StepKind.CMD, name="s", nodes=nodes, script=script, args=args)


@pytest.fixture
def machines(database: peewee.Database) -> None:
    create_node(1, "web1", "10.0.0.1", "", 0, "", "me")
    create_node(1, "web2", "10.0.0.2", "", 0, "", "me")
    save_group(1, "webs", "list", "web1, web2\nweb1", "me")
    slaves.register("agent7", "host", [], "test")


def test_variables_reach_script_args_and_node_lists(machines: None) -> None:
    steps = [cmd(Selector(SelectorType.BUILTIN, "${hosts}"), "echo ${word}", "'${word} x' ${n}")]

    [planned] = plan(1, steps, {"hosts": "web2,10.0.0.1", "word": "a b", "n": "3"})

    assert planned.nodes == ["web2", "web1"]
    assert planned.step.script == "echo a b"
    assert planned.argv == ["a b x", "3"]


def test_groups_and_variables_select_nodes(machines: None) -> None:
    by_group, by_variable = plan(
        1,
        [
            cmd(Selector(SelectorType.GROUP, "webs")),
            cmd(Selector(SelectorType.VARIABLE, "targets")),
        ],
        {"targets": "agent7 web1"},
    )

    assert by_group.nodes == ["web1", "web2"]
    assert by_variable.nodes == ["agent7", "web1"]


def test_a_group_is_named_or_numbered_by_its_id(machines: None) -> None:
    [by_id] = plan(1, [cmd(Selector(SelectorType.GROUP, "1"))], {})

    assert by_id.nodes == ["web1", "web2"]


@pytest.mark.parametrize("key", ["\u00b9", "\u0663", "99999999999999999999"])
def test_a_group_key_that_is_no_row_id_is_an_unknown_group(machines: None, key: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        plan(1, [cmd(Selector(SelectorType.GROUP, key))], {})

    assert err.value.field == "steps[0].nodes"
    assert "no node group" in str(err.value)


def test_every_missing_variable_is_named(machines: None) -> None:
    with pytest.raises(InvalidArgument) as err:
        plan(1, [cmd(Selector(SelectorType.VARIABLE, "targets"), "echo ${a} ${b}")], {"a": "1"})

    assert err.value.field == "variables"
    assert "b, targets" in str(err.value)


def test_an_empty_value_is_missing_too_and_names_are_listed_sorted() -> None:
    with pytest.raises(InvalidArgument) as err:
        plan(
            1,
            [cmd(Selector(SelectorType.BUILTIN, "web1"), "${b} ${a} ${ok}")],
            {"ok": "1", "b": ""},
        )

    assert err.value.field == "variables"
    assert "no value for variable(s): a, b" in str(err.value)


def test_unknown_nodes_are_named_with_the_step(machines: None) -> None:
    with pytest.raises(InvalidArgument) as err:
        plan(
            1,
            [
                cmd(Selector(SelectorType.BUILTIN, "web1")),
                cmd(Selector(SelectorType.BUILTIN, "ghost,web9")),
            ],
            {},
        )

    assert err.value.field == "steps[1].nodes"
    assert "ghost, web9" in str(err.value)


def test_checked_gives_uuids_and_names_the_bad_field() -> None:
    ready = checked(
        [cmd(Selector(SelectorType.BUILTIN, "a")), cmd(Selector(SelectorType.BUILTIN, "b"))]
    )
    with pytest.raises(InvalidArgument) as err:
        checked([cmd(Selector(SelectorType.BUILTIN, "a")), cmd(Selector(SelectorType.GROUP, " "))])

    assert all(s.uuid for s in ready) and ready[0].uuid != ready[1].uuid
    assert err.value.field == "steps[1].nodes"


def test_a_rendered_field_past_the_cap_is_refused_naming_the_step_and_field(
    machines: None,
) -> None:
    limit = RenderLimit(field_bytes=1000)
    steps = [
        cmd(Selector(SelectorType.BUILTIN, "web1")),
        cmd(Selector(SelectorType.BUILTIN, "web1"), args="${x} ${x}"),
    ]

    with pytest.raises(ResourceExhausted) as args:
        plan(1, steps, {"x": "a" * 600}, limit=limit)
    with pytest.raises(ResourceExhausted) as script:
        plan(
            1,
            [cmd(Selector(SelectorType.BUILTIN, "web1"), "${x}" * 3)],
            {"x": "a" * 400},
            limit=limit,
        )

    assert args.value.field == "steps[1].args"
    assert script.value.field == "steps[0].script"


def test_a_job_of_many_steps_is_bounded_in_all(machines: None) -> None:
    limit = RenderLimit(field_bytes=1000)  # 8000 bytes a task
    steps = [
        cmd(Selector(SelectorType.BUILTIN, "web1"), "${x}") for _ in range(9)
    ]  # 994 bytes each

    with pytest.raises(ResourceExhausted) as err:
        plan(1, steps, {"x": "a" * 990}, limit=limit)

    assert err.value.field == "steps[8].script" and "in all" in str(err.value)
    assert len(plan(1, steps[:8], {"x": "a" * 990}, limit=limit)) == 8


def test_a_redo_renders_again_and_is_refused_past_the_cap_in_force(machines: None) -> None:
    spec = CommandSpec(
        1, "big", "me", "", ("web1",), ScriptType.SHELL, "echo ${x}${x}", variables={"x": "a" * 600}
    )
    original = tasks.create(submit.command_task(spec, RenderLimit(field_bytes=2000)))

    with pytest.raises(ResourceExhausted) as err:
        submit.redo_task(original, "me", RenderLimit(field_bytes=1000))

    assert err.value.field == "script"
    assert submit.redo_task(original, "me", RenderLimit(field_bytes=2000)).redo_of
