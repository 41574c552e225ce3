"""Timestamps between naive-UTC datetimes (what the database holds) and protobuf."""

from __future__ import annotations

import datetime as dt

from google.protobuf import timestamp_pb2

from master.errors import InvalidArgument


def timestamp(value: dt.datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value.replace(tzinfo=dt.UTC))
    return ts


def from_timestamp(ts: timestamp_pb2.Timestamp, present: bool) -> dt.datetime | None:
    return ts.ToDatetime() if present else None


def from_unix(seconds: int, field: str) -> dt.datetime | None:
    """Seconds since the epoch (0 = none); InvalidArgument naming `field` past what a
    datetime holds (the years 1 to 9999), rather than an internal error."""
    if not seconds:
        return None
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        raise InvalidArgument(f"not a time: {seconds}", field) from None
