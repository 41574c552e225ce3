"""A run's options acted on at submit (domain.RunOptions, OpsGrat's launch fields): the node
group's nodes become each step's nodes, the account's name each step's user, and `limit` keeps
only the planned nodes it matches. Submit, dry run and redo go through here before anything is
written; each refusal names `options.<field>`."""

from __future__ import annotations

import dataclasses
import re
from fnmatch import fnmatchcase

from master.catalogue import resolve
from master.domain import PlannedStep, RunOptions, Selector, SelectorType, Step, StepKind
from master.errors import InvalidArgument, NotFound
from master.store import catalogue

GROUP_FIELD = "options.nodegroup_id"
ACCOUNT_FIELD = "options.account_id"
LIMIT_FIELD = "options.limit"
MAX_LIMIT_CHARS = 4096
LIMIT_SPLIT = re.compile(r"[\s,]+")
PATTERN = re.compile(r"^[A-Za-z0-9_.:\-\[\]@*?!]{1,255}$")
"""A node name (validate.NODE_NAME) with fnmatch's `*`, `?`, `[...]` and `[!...]`."""


def group_nodes(project_id: int, options: RunOptions) -> list[str]:
    """The names of the option's node group ([] when it names none)."""
    if not options.nodegroup_id:
        return []
    group = catalogue.group_by_id(project_id, options.nodegroup_id)
    if group is None:
        why = f"node group {options.nodegroup_id} not found in project {project_id}"
        raise NotFound(why, GROUP_FIELD)
    try:
        names = resolve.group_members(group)
    except InvalidArgument as exc:
        raise InvalidArgument(_message(exc), GROUP_FIELD) from exc
    if not names:
        raise InvalidArgument(f"node group {group.name!r} has no nodes", GROUP_FIELD)
    return names


def run_as(project_id: int, options: RunOptions) -> str:
    """The username of the option's account ("" when it names none)."""
    if not options.account_id:
        return ""
    account = catalogue.account_by_id(project_id, options.account_id)
    if account is None:
        why = f"account {options.account_id} not found in project {project_id}"
        raise NotFound(why, ACCOUNT_FIELD)
    return str(account.username)


def nodes(project_id: int, options: RunOptions, given: list[str], field: str) -> list[str]:
    """The nodes a run goes to, each a machine of the project (or a slave): its node group's,
    else `given` (the request's `field`); both at once is refused, naming `field`."""
    grouped = group_nodes(project_id, options)
    if grouped and given:
        raise InvalidArgument("name the nodes or a node group, not both", field)
    if grouped:
        return resolve.known_nodes(project_id, grouped, GROUP_FIELD)
    return resolve.known_nodes(project_id, given, field) if given else []


def on_steps(steps: list[Step], targets: list[str], user: str) -> list[Step]:
    """Every step run on `targets` (a copy: its destinations; a copy into the file server keeps
    its one source) and as `user`; an empty one changes nothing."""
    return [_on_step(step, targets, user) for step in steps]


def _on_step(step: Step, targets: list[str], user: str) -> Step:
    if user:
        step = dataclasses.replace(step, user=user)
    if not targets or step.into_store:
        return step
    chosen = Selector(SelectorType.BUILTIN, ",".join(targets))
    if step.kind == StepKind.CMD:
        return dataclasses.replace(step, nodes=chosen)
    return dataclasses.replace(step, dst=chosen)


def patterns(limit: str) -> list[str]:
    """The names and globs of a `limit` (comma, space or newline separated); [] = no limit."""
    if len(limit) > MAX_LIMIT_CHARS:
        raise InvalidArgument(f"must be at most {MAX_LIMIT_CHARS} characters", LIMIT_FIELD)
    found = [p for p in LIMIT_SPLIT.split(limit) if p]
    bad = [p for p in found if not PATTERN.match(p)]
    if bad:
        raise InvalidArgument(f"not a node name or glob: {bad[0]!r}", LIMIT_FIELD)
    return list(dict.fromkeys(found))


def limited(planned: list[PlannedStep], limit: str) -> list[PlannedStep]:
    """Each step with only the nodes `limit` matches (a copy into the file server keeps its
    source); a step left with none is refused, naming `options.limit`."""
    wanted = patterns(limit)
    if not wanted:
        return planned
    kept: list[PlannedStep] = []
    for i, step in enumerate(planned):
        if step.step.into_store:
            kept.append(step)
            continue
        matched = [n for n in step.nodes if any(fnmatchcase(n, p) for p in wanted)]
        if not matched:
            shown = ", ".join(step.nodes[:5]) + (", ..." if len(step.nodes) > 5 else "")
            why = f"matches none of step {i + 1}'s nodes ({shown})"
            raise InvalidArgument(why, LIMIT_FIELD)
        kept.append(dataclasses.replace(step, nodes=matched))
    return kept


def _message(exc: InvalidArgument) -> str:
    return str(exc).removeprefix(f"{exc.field}: ") if exc.field else str(exc)
