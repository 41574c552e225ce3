"""The OpenC3 list filters (query string) -> `ListFilter`.

Every catalogue list takes `name` (contains), `create_user`, `edit_user` and the create/edit
date ranges; some sections add their own (`jobname`, `plugin`, `inip`, `exip`), named by
`extra`. Dates are UTC `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`; an end date includes that whole day
(`forms.time_bound`). `limit`/`offset` page the list (absent limit = all).
"""

from __future__ import annotations

from collections.abc import Collection

from gateway import forms, schemas
from gateway.forms import Fields
from jobfleet.v1 import catalog_pb2

MAX_LIMIT = 10000
INT32_MAX = 2**31 - 1

# Section filters: query key -> ListFilter field.
EXTRA = {
    "jobname": "job_name_contains",
    "plugin": "plugin",
    "inip": "inip_contains",
    "exip": "exip_contains",
}


def list_filter(query: Fields, extra: Collection[str] = ()) -> catalog_pb2.ListFilter:
    """The filter a list query asks for; each bad value raises naming its key."""
    wanted = catalog_pb2.ListFilter(
        name_contains=forms.text(query, "name", max_len=255),
        create_user=forms.text(query, "create_user", max_len=255),
        edit_user=forms.text(query, "edit_user", max_len=255),
        create_time_start=forms.time_bound(query, "create_time_start"),
        create_time_end=forms.time_bound(query, "create_time_end", end=True),
        edit_time_start=forms.time_bound(query, "edit_time_start"),
        edit_time_end=forms.time_bound(query, "edit_time_end", end=True),
        limit=forms.integer(query, "limit", default=0, low=1, high=MAX_LIMIT),
        offset=forms.integer(query, "offset", default=0, low=0, high=INT32_MAX),
    )
    for key in extra:
        setattr(wanted, EXTRA[key], forms.text(query, key, max_len=255))
    return wanted


def count_filter(query: Fields, extra: Collection[str] = ()) -> catalog_pb2.ListFilter:
    """The list's filter asking for one row only: count routes read the reply's `total`."""
    wanted = list_filter(query, extra)
    wanted.limit = 1
    wanted.offset = 0
    return wanted


def query(extra: Collection[str] = ()) -> dict[str, schemas.Schema]:
    """The schema of `list_filter`'s query keys, for the OpenAPI document."""
    keys: dict[str, schemas.Schema] = {
        "name": schemas.text(255, description="contains"),
        "create_user": schemas.text(255),
        "edit_user": schemas.text(255),
        "create_time_start": schemas.time_bound(),
        "create_time_end": schemas.time_bound(description="inclusive: that whole day"),
        "edit_time_start": schemas.time_bound(),
        "edit_time_end": schemas.time_bound(description="inclusive: that whole day"),
        "limit": schemas.integer(1, MAX_LIMIT),
        "offset": schemas.integer(0, INT32_MAX),
    }
    for key in extra:
        keys[key] = schemas.text(255, description="contains")
    return keys
