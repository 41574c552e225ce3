"""Timestamps between naive-UTC datetimes (what the database holds) and protobuf."""

from __future__ import annotations

import datetime as dt

from google.protobuf import timestamp_pb2

from master.errors import InvalidArgument

EPOCH = dt.datetime(1970, 1, 1)


def timestamp(value: dt.datetime | None) -> timestamp_pb2.Timestamp | None:
    """Timestamp.FromDatetime's answer for a naive-UTC time, by arithmetic (every answer
    showing a task converts several; FromDatetime goes through a time tuple each)."""
    if value is None:
        return None
    since = value - EPOCH
    seconds = since.days * 86_400 + since.seconds
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=since.microseconds * 1000)


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
