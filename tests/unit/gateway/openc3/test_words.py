"""words: every proto enum value has an OpenC3 word, and words parse back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from gateway.errors import FieldError
from gateway.openc3 import words
from gateway.words import UNKNOWN, value_of, word
from jobfleet.v1 import common_pb2, task_pb2


@pytest.mark.parametrize(
    ("table", "enum", "prefix"),
    [
        (words.TASK_STATUS, common_pb2.TaskStatus, "TASK_STATUS_"),
        (words.EXECUTION_STATUS, common_pb2.ExecutionStatus, "EXECUTION_STATUS_"),
        (words.SCRIPT_TYPE, common_pb2.ScriptType, "SCRIPT_TYPE_"),
        (words.SUBTASK_STATUS, common_pb2.SubtaskStatus, "SUBTASK_STATUS_"),
        (words.SUBTASK_CONTROL, task_pb2.SubtaskControl, "SUBTASK_CONTROL_"),
        (words.NODE_TYPE, common_pb2.NodeSelectorType, "NODE_SELECTOR_TYPE_"),
    ],
)
def test_every_value_but_unspecified_has_its_own_word(
    table: Mapping[Any, str], enum: Any, prefix: str
) -> None:
    for name, value in enum.items():
        unspecified = name.endswith("UNSPECIFIED")
        expected = UNKNOWN if unspecified else name.removeprefix(prefix).lower()
        assert word(table, value) == expected


def test_value_of_round_trips() -> None:
    for value, said in words.TASK_STATUS.items():
        assert value_of(words.TASK_STATUS, said, "status") == value


def test_value_of_names_the_field() -> None:
    with pytest.raises(FieldError) as caught:
        value_of(words.TASK_STATUS, "done", "status")

    assert caught.value.field == "status"
    assert "running" in caught.value.message
