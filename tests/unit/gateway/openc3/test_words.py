"""words: every proto enum value has an OpenC3 word, and words parse back; task and step
statuses in the words OpenC3's pages know."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from gateway.errors import FieldError
from gateway.openc3 import words
from gateway.words import UNKNOWN, value_of, values_of, word
from jobfleet.v1 import common_pb2, task_pb2


@pytest.mark.parametrize(
    ("table", "enum", "prefix"),
    [
        (words.EXECUTION_STATUS, common_pb2.ExecutionStatus, "EXECUTION_STATUS_"),
        (words.SCRIPT_TYPE, common_pb2.ScriptType, "SCRIPT_TYPE_"),
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
    for value, said in words.SUBTASK_CONTROL.items():
        assert value_of(words.SUBTASK_CONTROL, said, "control") == value


PAGE_TASK_WORDS = {"", "init", "running", "waiting", "success", "fail", "refuse"}
PAGE_STEP_WORDS = {"", "running", "success", "fail", "decision", "ignore", "refuse"}


def test_task_statuses_are_words_the_pages_know() -> None:
    shown = {
        common_pb2.TaskStatus.Name(v).removeprefix("TASK_STATUS_").lower(): word(
            words.TASK_STATUS, v
        )
        for v in common_pb2.TaskStatus.values()
        if v != common_pb2.TASK_STATUS_UNSPECIFIED
    }

    assert set(shown.values()) <= PAGE_TASK_WORDS
    assert set(words.TASK_STATUS_WORDS) <= PAGE_TASK_WORDS
    assert shown == {
        "init": "init",
        "running": "running",
        "success": "success",
        "fail": "fail",
        "killed": "fail",
        "decision": "waiting",
        "waiting": "waiting",
        "refuse": "refuse",
    }


def test_step_statuses_are_words_the_pages_know() -> None:
    shown = {
        common_pb2.SubtaskStatus.Name(v).removeprefix("SUBTASK_STATUS_").lower(): word(
            words.SUBTASK_STATUS, v
        )
        for v in common_pb2.SubtaskStatus.values()
        if v != common_pb2.SUBTASK_STATUS_UNSPECIFIED
    }

    assert set(shown.values()) <= PAGE_STEP_WORDS
    assert shown == {
        "init": "",
        "running": "running",
        "success": "success",
        "fail": "fail",
        "decision": "decision",
        "ignore": "ignore",
        "killed": "fail",
        "refuse": "refuse",
        "skipped": "",
    }


@pytest.mark.parametrize(
    ("said", "values"),
    [
        ("waiting", {common_pb2.TASK_STATUS_DECISION, common_pb2.TASK_STATUS_WAITING}),
        ("fail", {common_pb2.TASK_STATUS_FAIL, common_pb2.TASK_STATUS_KILLED}),
        ("running", {common_pb2.TASK_STATUS_RUNNING}),
        ("success", {common_pb2.TASK_STATUS_SUCCESS}),
        ("init", {common_pb2.TASK_STATUS_INIT}),
        ("refuse", {common_pb2.TASK_STATUS_REFUSE}),
    ],
)
def test_a_task_status_word_names_every_status_shown_so(said: str, values: set[int]) -> None:
    found = values_of(words.TASK_STATUS, said, "status", words.TASK_STATUS_WORDS)

    assert set(found) == values


def test_an_unknown_status_word_is_refused_naming_the_field() -> None:
    with pytest.raises(FieldError) as caught:
        values_of(words.TASK_STATUS, "killed", "status", words.TASK_STATUS_WORDS)

    assert caught.value.field == "status"
    assert "waiting" in caught.value.message and "refuse" in caught.value.message


def test_job_types_are_what_the_pages_split() -> None:
    assert words.JOB_TYPE == {
        "job": "jobs",
        "plugin_cmd": "plugin_cmd",
        "plugin_scp": "plugin_scp",
        "plugin_approval": "plugin_approval",
    }


def test_value_of_names_the_field() -> None:
    with pytest.raises(FieldError) as caught:
        value_of(words.TASK_STATUS, "done", "status")

    assert caught.value.field == "status"
    assert "running" in caught.value.message
