"""filters: the OpenC3 list query -> ListFilter, end dates inclusive, errors naming the key."""

from __future__ import annotations

import calendar

import pytest

from gateway.errors import FieldError
from gateway.openc3.filters import count_filter, list_filter
from jobfleet.v1 import catalog_pb2

DAY = 86400
MAY_1 = calendar.timegm((2024, 5, 1, 0, 0, 0))


def test_every_common_filter() -> None:
    query = {
        "name": "dep",
        "create_user": "ann",
        "edit_user": "bob",
        "create_time_start": "2024-05-01",
        "create_time_end": "2024-05-01",
        "edit_time_start": "2024-05-01 10:00:00",
        "edit_time_end": "2024-05-01 10:00:00",
    }

    assert list_filter(query) == catalog_pb2.ListFilter(
        name_contains="dep",
        create_user="ann",
        edit_user="bob",
        create_time_start=MAY_1,
        create_time_end=MAY_1 + DAY,  # the whole day of the end date
        edit_time_start=MAY_1 + 36000,
        edit_time_end=MAY_1 + 36001,
    )


def test_section_filters_only_where_asked() -> None:
    query = {"jobname": "j", "plugin": "list", "inip": "10.", "exip": "1.2"}

    assert list_filter(query) == catalog_pb2.ListFilter()
    assert list_filter(query, ["jobname", "plugin"]) == catalog_pb2.ListFilter(
        job_name_contains="j", plugin="list"
    )
    assert list_filter(query, ["inip", "exip"]) == catalog_pb2.ListFilter(
        inip_contains="10.", exip_contains="1.2"
    )


def test_paging_and_count() -> None:
    assert list_filter({"limit": "5", "offset": "10"}).limit == 5
    counted = count_filter({"name": "x", "limit": "5", "offset": "10"})

    assert (counted.name_contains, counted.limit, counted.offset) == ("x", 1, 0)


@pytest.mark.parametrize(
    "key", ["create_time_start", "create_time_end", "edit_time_start", "edit_time_end"]
)
def test_bad_date_names_its_key(key: str) -> None:
    with pytest.raises(FieldError) as caught:
        list_filter({key: "01/05/2024"})

    assert caught.value.field == key


def test_bad_limit_names_it() -> None:
    with pytest.raises(FieldError) as caught:
        list_filter({"limit": "all"})

    assert caught.value.field == "limit"
