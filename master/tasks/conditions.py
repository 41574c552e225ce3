"""Whether a step runs in this run: OpenC3's step conditions (`deployenv`, `action`, `batches`
as a word) decided against the run's context.

jobfleet has no rolling-batch module to ask, so the context is the task's own variables (the
job's values, overridden by the submitted ones):

  _deployenv_   test | online (OpenC3's `_jobtype_` is read when `_deployenv_` is not set)
  _action_      deploy | rollback
  _batch_       this run's 1-based position among the batches an outside tool runs
  _batches_     how many batches that tool runs

A condition that holds runs the step; one that does not skips it (SKIPPED, not run). One that
cannot be decided (its variable missing or not a valid value) is refused at submission naming
the step's field and the variable: it is never skipped nor run by default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from master.catalogue import wavespec
from master.domain import Step
from master.errors import InvalidArgument

DEPLOYENV_VARS = ("_deployenv_", "_jobtype_")
ACTION_VAR = "_action_"
BATCH_VAR = "_batch_"
BATCHES_VAR = "_batches_"
ALWAYS = ("", "always")
ENVS = ("test", "online")
ACTIONS = ("deploy", "rollback")
FIRST = ("firsttime", "notfirsttime")
LAST = ("thelasttime", "notthelasttime")
WHOLE = re.compile(r"[0-9]{1,9}")


class Undecided(Exception):
    """A condition whose context is missing: the step field and what it needs."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__(f"{field}: {why}")
        self.field = field
        self.why = why


def check(steps: list[Step], values: Mapping[str, str], field: Callable[[int, str], str]) -> None:
    """INVALID_ARGUMENT naming `steps[i].<field>` and the variable it needs, for the first
    step whose condition cannot be decided with these values."""
    for i, step in enumerate(steps):
        try:
            skip_reason(step, values)
        except Undecided as exc:
            raise InvalidArgument(exc.why, field(i, exc.field)) from None


def skip_reason(step: Step, values: Mapping[str, str]) -> str:
    """Why the step does not run with these values ("" when it runs); Undecided when its
    context is missing."""
    reasons = [
        _deployenv(step.deployenv, values),
        _action(step.action, values),
        _batches(step.batches, values),
    ]
    return "; ".join(r for r in reasons if r)


def _deployenv(word: str, values: Mapping[str, str]) -> str:
    if word in ALWAYS:
        return ""
    real = values.get(DEPLOYENV_VARS[0], "")
    if not real and values.get(DEPLOYENV_VARS[1], "") in ENVS:
        real = values[DEPLOYENV_VARS[1]]
    if real not in ENVS:
        said = f", not {real!r}" if real else ""
        why = f"needs variable {DEPLOYENV_VARS[0]} (or {DEPLOYENV_VARS[1]}) = test or online{said}"
        raise Undecided("deployenv", why)
    return "" if word == real else f"deployenv {word}, this run {real}"


def _action(word: str, values: Mapping[str, str]) -> str:
    if word in ALWAYS:
        return ""
    real = values.get(ACTION_VAR, "")
    if real not in ACTIONS:
        said = f", not {real!r}" if real else ""
        raise Undecided("action", f"needs variable {ACTION_VAR} = deploy or rollback{said}")
    return "" if word == real else f"action {word}, this run {real}"


def _batches(word: str, values: Mapping[str, str]) -> str:
    if word in ALWAYS or not wavespec.is_condition(word):  # a wave plan is no condition
        return ""
    batch = _count(values, BATCH_VAR, word)
    last = word in LAST and batch == _count(values, BATCHES_VAR, word, at_least=batch)
    holds = {
        "firsttime": batch == 1,
        "notfirsttime": batch != 1,
        "thelasttime": last,
        "notthelasttime": word in LAST and not last,
    }[word]
    return "" if holds else f"batches {word}, this run is batch {batch}"


def _count(values: Mapping[str, str], name: str, word: str, at_least: int = 1) -> int:
    """A positive whole number variable (at least `at_least`), or Undecided."""
    text = values.get(name, "").strip()
    if not WHOLE.fullmatch(text) or int(text) < at_least:
        said = f", not {text!r}" if text else ""
        bound = f" and at least {BATCH_VAR}" if at_least > 1 else ""
        why = f"{word} needs variable {name} = a whole number >= 1{bound}{said}"
        raise Undecided("batches", why)
    return int(text)
