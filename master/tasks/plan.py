"""From steps and variables to what will run: variables substituted, nodes resolved and
checked. Submit, dry-run and redo all go through here, so they agree."""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Callable

from master.catalogue import approval_rules, resolve, wavespec
from master.catalogue.steps import used_variables
from master.catalogue.validate import stored_name
from master.catalogue.variables import Budget, RenderLimit, check_values
from master.domain import PlannedStep, Selector, SelectorType, Step, StepKind
from master.errors import InvalidArgument, NotFound
from master.store import files
from master.tasks import conditions

FieldName = Callable[[int, str], str]


def job_field(i: int, name: str) -> str:
    return f"steps[{i}].{name}"


def command_field(i: int, name: str) -> str:
    return name


def copy_field(i: int, name: str) -> str:
    return f"scp.{name}"


def plan(
    project_id: int,
    steps: list[Step],
    values: dict[str, str],
    field: FieldName = job_field,
    limit: RenderLimit = RenderLimit(),
) -> list[PlannedStep]:
    """Every step ready to run, or one error naming every missing variable, the first field
    rendered past `limit`, the first bad wave plan or condition that cannot be decided
    (conditions.py), or the first unresolvable selector."""
    missing = sorted(n for n in used_variables(steps) if not values.get(n))
    if missing:
        raise InvalidArgument(f"no value for variable(s): {', '.join(missing)}", "variables")
    check_values(values, limit)
    for i, step in enumerate(steps):
        wavespec.parse(step.batches, field(i, "batches"))
    conditions.check(steps, values, field)
    budget = Budget(limit, values)
    return [_plan_step(project_id, i, s, values, budget, field) for i, s in enumerate(steps)]


def _plan_step(
    project_id: int,
    i: int,
    step: Step,
    values: dict[str, str],
    budget: Budget,
    field: FieldName,
) -> PlannedStep:
    if step.kind == StepKind.APPROVAL:  # runs on no node; `cont` is filled at its start
        names = approval_rules.approver_list(step.approvers, values, field(i, "approver"))
        return PlannedStep(dataclasses.replace(step, approvers=",".join(names)), [], [])
    argv = budget.render_each(shlex.split(step.args), field(i, "args"))
    rendered = _rendered(i, step, argv, budget, field)
    if rendered.into_store:
        return _plan_into_store(project_id, i, rendered, argv, values, field)
    at = field(i, step.targets_field)
    names = resolve.selector(project_id, rendered.targets, values, at)
    nodes = resolve.known_nodes(project_id, names, at)
    source = ""
    if step.kind == StepKind.SCP and rendered.src.type == SelectorType.FILESERVER:
        try:
            files.by_name(project_id, rendered.src_path.strip())
        except NotFound as exc:
            raise InvalidArgument(str(exc).split(": ", 1)[-1], field(i, "src_path")) from exc
    elif step.kind == StepKind.SCP:
        source = _source(project_id, i, rendered, values, field)
    return PlannedStep(rendered, nodes, argv, source)


def _plan_into_store(
    project_id: int, i: int, step: Step, argv: list[str], values: dict[str, str], field: FieldName
) -> PlannedStep:
    """A copy from one machine into the file server runs on that machine; its `dst_path` becomes
    the name the file gets there (`dst`, which OpenC3's page fills with the machine, is not
    read)."""
    if step.src.type == SelectorType.FILESERVER:
        why = "copy into the file server from a machine, not from it"
        raise InvalidArgument(why, field(i, "src"))
    name = stored_name(step.src_path, step.dst_path, field(i, "src_path"), field(i, "dst_path"))
    source = _source(project_id, i, step, values, field)
    return PlannedStep(dataclasses.replace(step, dst_path=name), [source], argv, source)


def _source(project_id: int, i: int, step: Step, values: dict[str, str], field: FieldName) -> str:
    """The one node a copy reads from."""
    src_at = field(i, "src")
    sources = resolve.known_nodes(
        project_id, resolve.selector(project_id, step.src, values, src_at), src_at
    )
    if len(sources) != 1:
        raise InvalidArgument(f"copy from exactly one node, not {len(sources)}", src_at)
    return sources[0]


def _rendered(i: int, step: Step, argv: list[str], budget: Budget, field: FieldName) -> Step:
    """The step with every `${name}` substituted (`argv`: its arguments, already), each field
    within the budget."""
    return dataclasses.replace(
        step,
        script=budget.render(step.script, field(i, "script")),
        args=shlex.join(argv),
        src_path=budget.render(step.src_path, field(i, "src_path")),
        dst_path=budget.render(step.dst_path, field(i, "dst_path")),
        chown=budget.render(step.chown, field(i, "chown")),
        chmod=budget.render(step.chmod, field(i, "chmod")),
        nodes=_render_selector(step.nodes, budget, field(i, "nodes")),
        src=_render_selector(step.src, budget, field(i, "src")),
        dst=_render_selector(step.dst, budget, field(i, "dst")),
    )


def _render_selector(sel: Selector, budget: Budget, at: str) -> Selector:
    if sel.type == SelectorType.BUILTIN:
        return dataclasses.replace(sel, content=budget.render(sel.content, at))
    return sel
