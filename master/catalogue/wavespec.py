"""The grammar of a step's `batches`: one of OpenC3's condition words, or a wave plan.

A wave plan says how many of the step's nodes run at once, each wave finishing before the
next starts (master/tasks/waves.py runs it): "N" (N nodes a wave), "N%" (N percent of the
step's nodes, rounded up, at least 1), or "a,b,c" (wave sizes; the last one repeats)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from master.errors import InvalidArgument

BATCH_WORDS = ("always", "firsttime", "thelasttime", "notfirsttime", "notthelasttime")
"""`batches` as a condition on the run's position among the batches of a rollout."""
MAX_SIZE = 100_000
"""The largest wave a plan names (more nodes than any step has)."""
MAX_SIZES = 64
"""The most sizes a list names."""
PERCENT = re.compile(r"([0-9]{1,3})%")
SIZES = re.compile(r"[0-9]{1,6}(?:,[0-9]{1,6})*")
HOW = "a condition word (" + ", ".join(BATCH_WORDS) + ") or waves: N, N% or a,b,c"


@dataclass(frozen=True)
class WavePlan:
    """How a step's nodes are cut into waves: `percent` of them a wave, else `sizes` (the
    last size repeats)."""

    sizes: tuple[int, ...] = ()
    percent: int = 0


def is_condition(batches: str) -> bool:
    """Whether `batches` is a condition word (or empty: always), not a wave plan."""
    return batches in ("", *BATCH_WORDS)


def parse(batches: str, at: str) -> WavePlan | None:
    """The wave plan `batches` names; None for a condition word or empty. INVALID_ARGUMENT
    naming `at` when it is neither."""
    if is_condition(batches):
        return None
    if m := PERCENT.fullmatch(batches):
        percent = int(m.group(1))
        if not 1 <= percent <= 100:
            raise InvalidArgument(f"a wave is 1% to 100% of the nodes, not {batches}", at)
        return WavePlan(percent=percent)
    if not SIZES.fullmatch(batches):
        raise InvalidArgument(f"must be {HOW}; got {batches!r}", at)
    sizes = tuple(int(s) for s in batches.split(","))
    if len(sizes) > MAX_SIZES:
        raise InvalidArgument(f"at most {MAX_SIZES} wave sizes", at)
    if not all(1 <= s <= MAX_SIZE for s in sizes):
        raise InvalidArgument(f"each wave holds 1 to {MAX_SIZE} nodes: {batches!r}", at)
    return WavePlan(sizes=sizes)
