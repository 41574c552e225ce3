"""A task's `forks` window: at most that many executions of a step are sent (pending or
running) at once; 0 is no bound.

When a task has a window (or is a dry run), each step's executions are written QUEUED; the
engine lets them out through `to_send` when the step starts and each time one of them ends
(and at master start, when it settles unfinished tasks), in node order, moving them to PENDING
in the same transaction that counts the window (store/executions.py `release`). Executions
that cannot run (no slave, no way in) are written failed and take no room. A rerun of failed
nodes and a copy's places go through the same window; a kill ends queued executions without
sending them.
"""

from __future__ import annotations

from collections.abc import Sequence

from master.domain import SENT_EXECUTION, ExecutionStatus, RunMode
from master.errors import InvalidArgument

MAX_FORKS = 10000
FORKS_FIELD = "options.forks"


def check_mode(mode: RunMode) -> None:
    """INVALID_ARGUMENT naming `options.forks` unless 0 <= forks <= MAX_FORKS."""
    if not 0 <= mode.forks <= MAX_FORKS:
        why = f"must be 0 (no bound) to {MAX_FORKS} executions at once, not {mode.forks}"
        raise InvalidArgument(why, FORKS_FIELD)


def holds_back(forks: int, check: bool) -> bool:
    """Whether a step's executions are written QUEUED, for the window (or the dry run) to let
    out, rather than PENDING and sent at once."""
    return forks > 0 or check


def room(forks: int, sent: int) -> int | None:
    """How many more executions of a step may be sent while `sent` are out; None: any."""
    if forks <= 0:
        return None
    return max(forks - sent, 0)


def to_send(forks: int, rows: Sequence[tuple[int, ExecutionStatus]]) -> list[int]:
    """Of a step's executions, (id, status) in node order: the ids of the queued ones to send
    now, first first."""
    sent = sum(1 for _, status in rows if status in SENT_EXECUTION)
    queued = [i for i, status in rows if status == ExecutionStatus.QUEUED]
    free = room(forks, sent)
    return queued if free is None else queued[:free]
