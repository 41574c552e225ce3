"""openc3.loguuid: a log route's uuid read as a task uuid or a step's log uuid (task uuid + step
uuid + cmd|scp), new 12-character uuids and old 32-hex ones alike."""

from __future__ import annotations

import pytest

from gateway.errors import FieldError
from gateway.openc3.loguuid import LogUuid, readings

NEW_TASK, NEW_STEP = "Tk3aZ9q0LmN2", "Sx8bQ1w2E3r4"
OLD_TASK, OLD_STEP = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"


def test_a_task_uuid_reads_as_the_task_first() -> None:
    assert readings(NEW_TASK) == [LogUuid(NEW_TASK)]
    assert readings(OLD_TASK) == [LogUuid(OLD_TASK)]


@pytest.mark.parametrize(
    ("task", "step", "step_type"),
    [
        (NEW_TASK, NEW_STEP, "cmd"),
        (NEW_TASK, NEW_STEP, "scp"),
        (OLD_TASK, OLD_STEP, "cmd"),
        (OLD_TASK, NEW_STEP, "scp"),
        ("callerchosen42", NEW_STEP, "cmd"),
        ("x" * 64, OLD_STEP, "cmd"),
    ],
)
def test_a_step_log_uuid_passes_the_check_and_one_reading_names_its_parts(
    task: str, step: str, step_type: str
) -> None:
    whole = task + step + step_type
    found = readings(whole)

    assert LogUuid(task, step, step_type) in found
    if len(whole) <= 64:  # a caller's task uuid may end so: the whole is tried first
        assert found[0] == LogUuid(whole)


def test_the_underscore_form_names_the_parts() -> None:
    assert readings(f"{NEW_TASK}_{NEW_STEP}_cmd") == [LogUuid(NEW_TASK, NEW_STEP, "cmd")]
    assert readings(f"{NEW_TASK}_{NEW_STEP}") == [LogUuid(NEW_TASK, NEW_STEP)]


@pytest.mark.parametrize(
    "bad",
    ["", "a-b", "../etc", f"{NEW_TASK}_{NEW_STEP}_sh", f"_{NEW_STEP}_cmd", "x" * 134, "a b"],
)
def test_anything_else_is_refused_naming_uuid(bad: str) -> None:
    with pytest.raises(FieldError) as caught:
        readings(bad)

    assert (caught.value.field, caught.value.status) == ("uuid", 400)
