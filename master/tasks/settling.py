"""The common end of a step, decided where a slave's reports are stored (store/settling.py):
a plain cmd step (no waves, no pause to wait at) whose executions are all final ends as the
engine's `_step_ended` and `_advance` would end it, in the transaction that stored the last
result. The cases this leaves (None) go to the engine's general settle, which is unchanged:
a success with a next step to start (or a pause), a step with waves.
"""

from __future__ import annotations

import json
import logging

from master.catalogue import wavespec
from master.domain import JobType, PlannedStep, SubtaskStatus, TaskStatus
from master.store.settling import StepEnd, StepFacts
from master.tasks import versions, waves
from master.tasks.engine import failure_reason, log_task_end

logger = logging.getLogger(__name__)


def step_end(facts: StepFacts) -> StepEnd | None:
    """How the step and its task end, as the general path writes it; None to leave it."""
    if _has_waves(facts.spec):
        return None
    if facts.failed:
        reason = failure_reason(facts.failed, facts.total)
        if facts.task.job_type != JobType.JOB:  # an ad-hoc task fails with its step
            return StepEnd(SubtaskStatus.FAIL, TaskStatus.FAIL, reason)
        return StepEnd(SubtaskStatus.DECISION, TaskStatus.DECISION, reason)
    if facts.pause or facts.position + 1 < facts.steps:
        return None  # waits at its pause, or starts the next step: the engine's part
    if facts.earlier_failed:
        names = ", ".join(str(p + 1) for p in facts.earlier_failed)
        return StepEnd(SubtaskStatus.SUCCESS, TaskStatus.FAIL, f"step(s) {names} failed")
    values = versions.ended_values(facts.task, TaskStatus.SUCCESS)
    return StepEnd(SubtaskStatus.SUCCESS, TaskStatus.SUCCESS, "", values)


def _has_waves(spec: str) -> bool:
    """waves.has_waves of a stored spec; a step with no wave plan (nearly every one) is told
    by its `batches` alone, without building the step."""
    data = json.loads(spec)
    if wavespec.is_condition(data.get("step", {}).get("batches", "")):
        return False
    return waves.has_waves(PlannedStep.from_json(data))


def log_end(uuid: str, position: int, end: StepEnd) -> None:
    """The log lines the general path writes for the same end."""
    if end.task == TaskStatus.DECISION:
        logger.info("task %s step %d waits for a decision: %s", uuid, position, end.reason)
    else:
        log_task_end(uuid, end.task, end.reason)

