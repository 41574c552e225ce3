"""Times from clients: seconds since the epoch, refused naming the field past a datetime's
years (not an internal error from deep in a query)."""

from __future__ import annotations

import datetime as dt

import pytest
from google.protobuf import timestamp_pb2

from jobfleet.v1 import task_pb2
from master.errors import InvalidArgument
from master.rpc.convert import task as convert_task
from master.rpc.convert.timestamps import from_unix, timestamp


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


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 12, 5, 20, 8, 42, 123456),
        dt.datetime(1970, 1, 1),
        dt.datetime(1969, 12, 31, 23, 59, 59, 500000),  # before the epoch: nanos stay positive
        dt.datetime(1, 1, 1),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
    ],
)
def test_a_stored_time_is_shown_as_protobufs_own_conversion_shows_it(value: dt.datetime) -> None:
    expected = timestamp_pb2.Timestamp()
    expected.FromDatetime(value.replace(tzinfo=dt.UTC))
    assert timestamp(value) == expected
    assert timestamp(None) is None
