"""The checks on a job's steps (the values themselves are master/domain.py's Step and Selector),
and the variables they use."""

from __future__ import annotations

import dataclasses
import re
import shlex

from master.catalogue import approval_rules, wavespec
from master.catalogue.validate import USER_NAME, stored_name
from master.catalogue.variables import PATTERN, selected_variable
from master.domain import (
    MAX_TIMEOUT_S,
    NODE_SELECTORS,
    ScriptType,
    Selector,
    SelectorType,
    Step,
    StepKind,
    short_uuid,
)
from master.errors import InvalidArgument

MAX_STEPS = 100
# A copy's chown and chmod as the slave takes them (slave/copy/owner.py): `user`, `user:group`,
# `user:` or `:group`, a name never starting with `-` (chown would read it as an option); a
# mode of 3 or 4 octal digits.
_OWNER_NAME = r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}\$?"
OWNER = re.compile(rf"{_OWNER_NAME}(?::(?:{_OWNER_NAME})?)?|:{_OWNER_NAME}")
MODE = re.compile(r"[0-7]{3,4}")


CONDITIONS = {
    "deployenv": ("", "always", "test", "online"),
    "action": ("", "always", "deploy", "rollback"),
}
"""OpenC3's step conditions: the words each takes (master/tasks/conditions.py decides them);
`batches` is a condition word or a wave plan (wavespec.py)."""


def checked(steps: list[Step], fresh: bool = False) -> list[Step]:
    """Steps with uuids (`fresh`: new ones for all, as a new or copied job gets), or the first
    problem naming `steps[i].field`."""
    if not steps:
        raise InvalidArgument("a job needs at least one step", "steps")
    if len(steps) > MAX_STEPS:
        raise InvalidArgument(f"at most {MAX_STEPS} steps", "steps")
    out = []
    for i, step in enumerate(steps):
        check(step, f"steps[{i}]")
        keep = step.uuid and not fresh
        out.append(step if keep else dataclasses.replace(step, uuid=short_uuid()))
    if len({s.uuid for s in out}) != len(out):
        raise InvalidArgument("two steps share a uuid", "steps")
    return out


def check(step: Step, at: str) -> None:
    if step.kind not in tuple(StepKind):
        raise InvalidArgument(f"must be cmd, scp or approval, got {step.kind!r}", f"{at}.kind")
    if not step.name.strip() or len(step.name) > 255:
        raise InvalidArgument("must be 1 to 255 characters", f"{at}.name")
    if step.user and not USER_NAME.match(step.user):
        raise InvalidArgument(f"not a valid account name: {step.user!r}", f"{at}.user")
    if not 1 <= step.timeout_s <= MAX_TIMEOUT_S:
        raise InvalidArgument(f"must be 1 to {MAX_TIMEOUT_S} seconds", f"{at}.timeout_seconds")
    for name, words in CONDITIONS.items():
        if getattr(step, name) not in words:
            raise InvalidArgument(f"must be one of {', '.join(words[1:])}", f"{at}.{name}")
    wavespec.parse(step.batches, f"{at}.batches")
    if step.kind == StepKind.CMD:
        _check_cmd(step, at)
    elif step.kind == StepKind.APPROVAL:
        approval_rules.check_fields(step.approvers, step.content, step.relaxed, at)
    else:
        _check_scp(step, at)


def _check_cmd(step: Step, at: str) -> None:
    _selector(step.nodes, f"{at}.nodes", allow_store=False)
    if step.script_type not in {t.value for t in ScriptType}:
        raise InvalidArgument(f"unknown script type {step.script_type!r}", f"{at}.script_type")
    if step.script_id < 0:
        raise InvalidArgument("must be a stored script's id", f"{at}.script_id")
    if step.script_id and step.script.strip():
        raise InvalidArgument("cite a stored script or send one, not both", f"{at}.script")
    if not step.script_id and not step.script.strip():
        raise InvalidArgument("must not be empty", f"{at}.script")
    try:
        shlex.split(step.args)
    except ValueError as exc:
        raise InvalidArgument(f"cannot split: {exc}", f"{at}.args") from exc


def _check_scp(step: Step, at: str) -> None:
    _selector(step.src, f"{at}.src", allow_store=True)
    _selector(step.dst, f"{at}.dst", allow_store=True)
    for name in ("src_path", "dst_path"):
        if not getattr(step, name).strip():
            raise InvalidArgument("must not be empty", f"{at}.{name}")
    if step.into_store:
        _check_into_store(step, at)
    if step.chown and not OWNER.fullmatch(step.chown):
        raise InvalidArgument(f"not a user[:group]: {step.chown!r}", f"{at}.chown")
    if step.chmod and not MODE.fullmatch(step.chmod):
        raise InvalidArgument(f"not an octal mode (3 or 4 digits): {step.chmod!r}", f"{at}.chmod")


def _check_into_store(step: Step, at: str) -> None:
    """A copy into the file server comes from a machine; its name, once known, is a plain one."""
    if step.src.type == SelectorType.FILESERVER:
        raise InvalidArgument("copy into the file server from a machine, not from it", f"{at}.src")
    if "${" not in step.src_path + step.dst_path:
        stored_name(step.src_path, step.dst_path, f"{at}.src_path", f"{at}.dst_path")


def _selector(sel: Selector, at: str, allow_store: bool) -> None:
    allowed = tuple(SelectorType) if allow_store else NODE_SELECTORS
    if sel.type not in allowed:
        raise InvalidArgument(f"must be one of {', '.join(allowed)}", at)
    if sel.type != SelectorType.FILESERVER and not sel.content.strip():
        raise InvalidArgument("names no nodes", at)


def used_variables(steps: list[Step]) -> set[str]:
    names = {m.group(1) for s in steps for t in s.texts() for m in PATTERN.finditer(t)}
    for s in steps:
        names.update(approval_rules.approver_variables(s.approvers))
    names.update(
        selected_variable(s.targets.content)
        for s in steps
        if s.targets.type == SelectorType.VARIABLE
    )
    names.update(
        selected_variable(s.src.content)
        for s in steps
        if s.kind == StepKind.SCP and s.src.type == SelectorType.VARIABLE
    )
    return names
