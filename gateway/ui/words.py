"""What the console calls the master's enums: one lower-case word each (a state's word is also
the CSS class it is coloured by)."""

from __future__ import annotations

from typing import Any

from jobfleet.v1 import common_pb2, crontab_pb2


def words_of(enum: Any, prefix: str, spaced: bool = False) -> dict[Any, str]:
    """Each value of a protobuf enum -> its name without `prefix`, in lower case (`spaced`:
    with spaces for underscores, for words that are shown and never a CSS class)."""
    found: dict[Any, str] = {
        value: name.removeprefix(prefix).lower() for name, value in enum.items()
    }
    return {v: w.replace("_", " ") for v, w in found.items()} if spaced else found


TASK_STATUS = words_of(common_pb2.TaskStatus, "TASK_STATUS_")
EXECUTION_STATUS = words_of(common_pb2.ExecutionStatus, "EXECUTION_STATUS_")
SUBTASK_STATUS = words_of(common_pb2.SubtaskStatus, "SUBTASK_STATUS_")
CRONTAB_STATUS = words_of(crontab_pb2.CrontabStatus, "CRONTAB_STATUS_")
FIRE_OUTCOME = words_of(crontab_pb2.CrontabFireOutcome, "CRONTAB_FIRE_OUTCOME_", spaced=True)
SELECTOR_TYPE = words_of(common_pb2.NodeSelectorType, "NODE_SELECTOR_TYPE_")
SCRIPT_TYPE = words_of(common_pb2.ScriptType, "SCRIPT_TYPE_")
