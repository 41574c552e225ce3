"""The variables a job's steps name where OpenC3 looks for them, created (empty) with the job.

OpenC3 saves a job with a variable row for every `$name` and `${name}` in a cmd step's
node_cont and scripts_argv and an scp step's src, sp, dst and dp (not in script content), so
that its pages list them to fill in. A step's deployenv tags them: a name only `test` steps use
is `test`, one only `online` steps use is `online`, any other none (`GET /variable?env=`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from master.catalogue.validate import VARIABLE_NAME
from master.catalogue.variables import PATTERN, selected_variable
from master.domain import SelectorType, Step, StepKind
from master.errors import InvalidArgument

BARE = re.compile(r"\$([A-Za-z][A-Za-z0-9_]+)")
"""OpenC3's `$name` (two characters at least); `${name}` is variables.PATTERN."""
ENVS = ("test", "online")
MAX_NAMED = 1000
"""Variables a job's steps may name: each becomes a row, so a body of names is bounded."""


def _fields(step: Step) -> Iterator[tuple[str, str]]:
    """(request field, text) of the places OpenC3 reads variables from."""
    if step.kind == StepKind.CMD:
        yield "nodes", step.nodes.content
        yield "args", step.args
    else:
        yield "src", step.src.content
        yield "src_path", step.src_path
        yield "dst", step.dst.content
        yield "dst_path", step.dst_path


def _names(step: Step, at: str) -> set[str]:
    found: set[str] = set()
    for field, text in _fields(step):
        names = {m.group(1) for m in PATTERN.finditer(text)}
        names.update(m.group(1) for m in BARE.finditer(text))
        if field in ("nodes", "src", "dst") and _selector(step, field) == SelectorType.VARIABLE:
            names.add(selected_variable(text))
        bad = sorted(n for n in names if not VARIABLE_NAME.match(n))
        if bad:
            raise InvalidArgument(f"not a valid variable name: {bad[0][:40]!r}", f"{at}.{field}")
        found |= names
    return found


def _selector(step: Step, field: str) -> SelectorType:
    return {"nodes": step.nodes, "src": step.src, "dst": step.dst}[field].type


def referenced(steps: list[Step]) -> dict[str, str]:
    """name -> env ("test", "online" or "") of every variable the steps name."""
    by_env: dict[str, set[str]] = {"": set(), "test": set(), "online": set()}
    for i, step in enumerate(steps):
        env = step.deployenv if step.deployenv in ENVS else ""
        by_env[env] |= _names(step, f"steps[{i}]")
    by_env[""] |= by_env["test"] & by_env["online"]
    tagged = {n: e for e in ENVS for n in by_env[e] - by_env[""]}
    named = {**dict.fromkeys(by_env[""], ""), **tagged}
    if len(named) > MAX_NAMED:
        raise InvalidArgument(f"the steps name more than {MAX_NAMED} variables", "steps")
    return named
