"""Rolling waves: a step whose `batches` is a wave plan (catalogue/wavespec.py) runs its nodes
(a copy: its destinations) in waves, in the order the step resolved them, each wave finishing
before the next starts.

Each wave's executions are written when the wave starts (store/rollout.py `start_wave`), so
what exists in the database says how far the step got: the waves with executions have
started, the others have not. A master that restarts mid-step goes on from there (recovery
settles every unfinished task), and a wave's start is one transaction (its executions, the
step and the task running again), so a wave never starts twice nor half.

When a wave ends with a node not successful, the step waits for a decision (DECISION) with the
later waves not started: `running` reruns that wave's failed nodes, `ignore` counts them done
and starts the next wave, `next` ends the step failed, `fail` ends the task. Failures of a wave
before the last one started were therefore ignored: they no longer stop the step, which ends
IGNORE rather than SUCCESS. Within a wave the task's `forks` window applies as to any step.
A step without a wave plan is one wave of all its nodes: nothing of this runs.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence

from master.catalogue import wavespec
from master.catalogue.wavespec import WavePlan
from master.db.models import Execution
from master.domain import ExecutionStatus, PlannedStep, Role


def sizes(plan: WavePlan, count: int) -> list[int]:
    """The sizes of the waves of `count` nodes (their sum is `count`)."""
    if plan.percent:
        per = max(1, math.ceil(count * plan.percent / 100))
        cut = [per] * (count // per) + ([count % per] if count % per else [])
        return cut
    cut, left = [], count
    for i in range(count):
        if left <= 0:
            break
        size = min(plan.sizes[min(i, len(plan.sizes) - 1)], left)
        cut.append(size)
        left -= size
    return cut


def split(nodes: Sequence[str], plan: WavePlan | None) -> list[list[str]]:
    """The nodes cut into waves, in order; one wave of all of them without a plan."""
    if plan is None or not nodes:
        return [list(nodes)]
    waves, start = [], 0
    for size in sizes(plan, len(nodes)):
        waves.append(list(nodes[start : start + size]))
        start += size
    return waves


def of_step(planned: PlannedStep) -> list[list[str]]:
    """The waves of a planned step's targets (a copy into the file server runs on one node:
    one wave)."""
    if planned.step.into_store:
        return [planned.nodes]
    return split(planned.nodes, wavespec.parse(planned.step.batches, "batches"))


def has_waves(planned: PlannedStep) -> bool:
    return not wavespec.is_condition(planned.step.batches) and not planned.step.into_store


def started(waves: list[list[str]], rows: Sequence[Execution]) -> int:
    """How many waves have started: those with an execution on a target (waves start in
    order, so they are the first ones)."""
    targets = {r.node for r in rows if r.role != Role.FETCH}
    return sum(1 for wave in waves if targets.intersection(wave))


def first(planned: PlannedStep) -> PlannedStep:
    """The step with only its first wave's nodes: where its start places executions."""
    if not has_waves(planned):
        return planned
    return dataclasses.replace(planned, nodes=of_step(planned)[0])


def to_decide(spec: str, rows: Sequence[Execution]) -> tuple[list[Execution], bool]:
    """Of a step's executions (`spec`: its planned step as stored), the failed ones that stop
    it for a decision (a copy's fetch, and those of the last wave started), and whether
    others failed that an `ignore` let pass."""
    failed = [r for r in rows if r.status != ExecutionStatus.SUCCESS]
    if not failed:
        return failed, False
    planned = PlannedStep.from_json(json.loads(spec))
    if not has_waves(planned):
        return failed, False
    all_waves = of_step(planned)
    current = set(all_waves[max(started(all_waves, rows), 1) - 1])
    stopping = [r for r in failed if r.role == Role.FETCH or r.node in current]
    return stopping, len(stopping) < len(failed)
