"""Times from clients: seconds since the epoch, refused naming the field past a datetime's
years (not an internal error from deep in a query)."""

from __future__ import annotations

import datetime as dt

import pytest

from jobfleet.v1 import task_pb2
from master.errors import InvalidArgument
from master.rpc.convert import task as convert_task
from master.rpc.convert.timestamps import from_unix


def test_seconds_become_naive_utc_and_zero_is_none() -> None:
    assert from_unix(0, "t") is None
    assert from_unix(86_400, "t") == dt.datetime(1970, 1, 2)


@pytest.mark.parametrize("seconds", [253_402_300_800, -62_135_596_801, 2**62])
def test_a_time_past_the_years_a_datetime_holds_is_refused_naming_the_field(
    seconds: int,
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        convert_task.task_filter(
            task_pb2.ListTasksRequest(project_id=1, started_before_unix=seconds)
        )
    assert refused.value.field == "started_before_unix"
