"""openc3.routes.subtask: the control form; PUT allows `next` and `running` (as OpenC3's PUT)."""

from __future__ import annotations

import pytest

from gateway.errors import FieldError
from gateway.openc3.routes.subtask import PUT_CONTROLS, control_request
from jobfleet.v1 import task_pb2

FORM = {"taskuuid": "t1", "subtaskuuid": "s1", "subtasktype": "cmd", "control": "ignore"}


def test_control_form() -> None:
    assert control_request(3, FORM, "ops") == task_pb2.ControlSubtaskRequest(
        project_id=3,
        task_uuid="t1",
        subtask_uuid="s1",
        control=task_pb2.SUBTASK_CONTROL_IGNORE,
        actor="ops",
    )


@pytest.mark.parametrize("control", ["fail", "ignore"])
def test_put_refuses_all_but_next_and_running_with_403(control: str) -> None:
    with pytest.raises(FieldError) as caught:
        control_request(3, {**FORM, "control": control}, "ops", PUT_CONTROLS)

    assert (caught.value.field, caught.value.status) == ("control", 403)


@pytest.mark.parametrize(
    ("control", "value"),
    [("next", task_pb2.SUBTASK_CONTROL_NEXT), ("running", task_pb2.SUBTASK_CONTROL_RUNNING)],
)
def test_put_accepts_next_and_running(control: str, value: int) -> None:
    ask = control_request(3, {**FORM, "control": control}, "ops", PUT_CONTROLS)

    assert ask.control == value


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"control": "stop"}, "control"),
        ({"control": ""}, "control"),
        ({"taskuuid": ""}, "taskuuid"),
        ({"subtaskuuid": "a b"}, "subtaskuuid"),
        ({"subtasktype": "rollout"}, "subtasktype"),
    ],
)
def test_bad_fields_are_400_naming_them(change: dict[str, str], field: str) -> None:
    with pytest.raises(FieldError) as caught:
        control_request(3, {**FORM, **change}, "ops")

    assert (caught.value.field, caught.value.status) == (field, 400)


def test_an_unknown_word_on_put_is_a_format_error_not_a_permission_one() -> None:
    with pytest.raises(FieldError) as caught:
        control_request(3, {**FORM, "control": "stop"}, "ops", PUT_CONTROLS)

    assert caught.value.status == 400
