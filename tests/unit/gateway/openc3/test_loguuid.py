"""loguuid: a log socket's uuid is a task's, or `<task><step><cmd|scp>`; nothing marks the cut,
so the readings worth asking the master about are listed, the whole uuid first."""

from __future__ import annotations

import pytest

from gateway.openc3.loguuid import BadLogUuid, LogTarget, candidates

T12, S12 = "AbCdEf012345", "zYxWvU987654"
T32, S32 = "0123456789abcdef" * 2, "fedcba9876543210" * 2


def test_a_task_uuid_alone_names_the_task() -> None:
    assert candidates(T12) == [LogTarget(T12)]
    assert candidates(T32) == [LogTarget(T32)]


@pytest.mark.parametrize(
    ("task", "step"), [(T12, S12), (T32, S32), (T12, S32), (T32, S12)], ids=str
)
@pytest.mark.parametrize("kind", ["cmd", "scp"])
def test_a_steps_log_uuid_is_cut_at_either_generated_length(
    task: str, step: str, kind: str
) -> None:
    readings = candidates(task + step + kind)

    assert LogTarget(task, step, kind) in readings
    assert all(r.kind == kind for r in readings if r.step_uuid)


def test_the_whole_uuid_is_read_as_a_task_first() -> None:
    # A task uuid may itself end in "cmd"; the master says which reading is real.
    uuid = "abcdefghicmd"

    assert candidates(uuid)[0] == LogTarget(uuid)
    assert candidates(T12 + S12 + "cmd")[0] == LogTarget(T12 + S12 + "cmd")


def test_a_callers_own_task_uuid_is_found_by_the_steps_length() -> None:
    task = "deploy2024"  # SubmitJob takes the caller's task uuid, 1-64 letters and digits

    assert LogTarget(task, S12, "cmd") in candidates(task + S12 + "cmd")


def test_every_reading_is_a_valid_pair() -> None:
    for uuid in (T12 + S12 + "scp", "x" * 64 + S32 + "cmd", "abcmd", T32 + "x" * 20 + "scp"):
        for reading in candidates(uuid):
            assert 1 <= len(reading.task_uuid) <= 64
            assert reading.step_uuid == "" or 1 <= len(reading.step_uuid) <= 64
            assert reading.task_uuid + reading.step_uuid + reading.kind == uuid


@pytest.mark.parametrize(
    "uuid",
    [
        "",
        "a-b",
        "a_b_sh",
        "_b_cmd",
        "a__cmd",
        "<script>",
        "a b",
        "é" * 3,
        "x" * 132,
        "x" * 65,
        "../etc",
        "a\x00",
    ],
)
def test_anything_else_is_a_format_error(uuid: str) -> None:
    with pytest.raises(BadLogUuid, match="uuid format error"):
        candidates(uuid)


def test_the_underscore_form_names_the_parts() -> None:
    assert candidates(f"{T12}_{S12}_cmd") == [LogTarget(T12, S12, "cmd")]
    assert candidates(f"{T32}_{S12}") == [LogTarget(T32, S12)]
