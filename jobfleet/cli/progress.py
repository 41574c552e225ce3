"""A task's executions counted as they change, and the one line that shows the count: "2 done,
1 failed, 3 running of 8, 12s". Pure: the live view (live.py) decides where and when it shows."""

from __future__ import annotations

from jobfleet.v1 import common_pb2

DONE = {common_pb2.EXECUTION_STATUS_SUCCESS}
FAILED = {
    common_pb2.EXECUTION_STATUS_FAIL,
    common_pb2.EXECUTION_STATUS_TIMEOUT,
    common_pb2.EXECUTION_STATUS_KILLED,
    common_pb2.EXECUTION_STATUS_LOST,
}
RUNNING = {common_pb2.EXECUTION_STATUS_RUNNING}


class Progress:
    """Each (step, node, role)'s latest status: a node run again (`running` after a decision)
    counts once, as its last attempt. `expected` is how many executions the task will have,
    when known before they all appear."""

    def __init__(self, expected: int = 0) -> None:
        self.expected = expected
        self._status: dict[tuple[str, str, str], int] = {}

    def seen(self, execution: common_pb2.Execution) -> None:
        self._status[(execution.subtask_uuid, execution.node, execution.role)] = execution.status

    def counts(self) -> tuple[int, int, int, int]:
        """(done, failed, running, of)."""
        values = list(self._status.values())
        done = sum(v in DONE for v in values)
        failed = sum(v in FAILED for v in values)
        running = sum(v in RUNNING for v in values)
        return done, failed, running, max(self.expected, len(values))

    def line(self, elapsed: float) -> str:
        done, failed, running, of = self.counts()
        return f"{done} done, {failed} failed, {running} running of {of}, {elapsed:.0f}s"


def expected_executions(task: common_pb2.Task) -> int:
    """How many executions `task` will have: its steps' node counts, or those it has."""
    planned = sum(s.node_count for s in task.subtasks)
    return int(max(planned, len(task.executions)))
