"""Step checks: a copy's chown and chmod are what the slave takes, else refused naming them."""

from __future__ import annotations

import pytest

from master.catalogue.steps import check, checked
from master.domain import Selector, SelectorType, Step, StepKind
from master.errors import InvalidArgument


def copy(chown: str = "", chmod: str = "") -> Step:
    return Step(
        kind=StepKind.SCP,
        name="ship",
        src=Selector(SelectorType.BUILTIN, "a"),
        src_path="/out/app.tgz",
        dst=Selector(SelectorType.BUILTIN, "b"),
        dst_path="/srv/",
        chown=chown,
        chmod=chmod,
    )


@pytest.mark.parametrize(
    ("chown", "chmod", "field"),
    [
        ("-R", "", "chown"),
        ("app:-R", "", "chown"),
        ("a;id", "", "chown"),
        ("${owner}", "", "chown"),
        (":", "", "chown"),
        ("", "777 /etc", "chmod"),
        ("", "-R 777", "chmod"),
        ("", "0648", "chmod"),
        ("", "06440", "chmod"),
    ],
)
def test_a_bad_chown_or_chmod_is_refused_naming_it(chown: str, chmod: str, field: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        checked([copy(chown, chmod)])
    with pytest.raises(InvalidArgument) as submitted:
        check(copy(chown, chmod), "scp")

    assert err.value.field == f"steps[0].{field}"
    assert submitted.value.field == f"scp.{field}"


@pytest.mark.parametrize("chown", ["", "nobody", "app:www", "app:", ":www", "host$", "0:0"])
@pytest.mark.parametrize("chmod", ["", "644", "0644", "4755"])
def test_what_the_slave_takes_passes(chown: str, chmod: str) -> None:
    check(copy(chown, chmod), "scp")


def cmd(script: str = "", script_id: int = 0) -> Step:
    nodes = Selector(SelectorType.BUILTIN, "a")
    return Step(kind=StepKind.CMD, name="run", nodes=nodes, script=script, script_id=script_id)


@pytest.mark.parametrize(
    ("step", "field"),
    [
        (cmd(), "steps[0].script"),
        (cmd("echo hi", 7), "steps[0].script"),
        (cmd(script_id=-7), "steps[0].script_id"),
    ],
)
def test_a_cmd_step_sends_a_script_or_cites_one(step: Step, field: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        checked([step])

    assert err.value.field == field
    checked([cmd(script_id=7)])
