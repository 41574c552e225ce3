"""openc3.routes.task: the task list's `status` filter in the pages' words."""

from __future__ import annotations

import pytest

from gateway.errors import FieldError
from gateway.openc3.routes.task import list_tasks_request
from jobfleet.v1 import common_pb2


@pytest.mark.parametrize(
    ("word", "statuses"),
    [
        ("waiting", [common_pb2.TASK_STATUS_DECISION, common_pb2.TASK_STATUS_WAITING]),
        ("fail", [common_pb2.TASK_STATUS_FAIL, common_pb2.TASK_STATUS_KILLED]),
        ("running", [common_pb2.TASK_STATUS_RUNNING]),
    ],
)
def test_a_status_word_asks_for_every_status_shown_so(word: str, statuses: list[int]) -> None:
    ask = list_tasks_request(1, {"status": word})

    assert ask is not None
    assert sorted(ask.statuses) == sorted(statuses)


def test_no_status_asks_for_any() -> None:
    ask = list_tasks_request(1, {"name": "x"})

    assert ask is not None and list(ask.statuses) == []


def test_refuse_asks_for_refused_tasks_and_the_other_filters_are_still_checked() -> None:
    ask = list_tasks_request(1, {"status": "refuse"})

    assert ask is not None and list(ask.statuses) == [common_pb2.TASK_STATUS_REFUSE]
    with pytest.raises(FieldError) as caught:
        list_tasks_request(1, {"status": "refuse", "limit": "0"})
    assert caught.value.field == "limit"


def test_an_unknown_word_is_refused_naming_status() -> None:
    with pytest.raises(FieldError) as caught:
        list_tasks_request(1, {"status": "decision"})

    assert caught.value.field == "status"
