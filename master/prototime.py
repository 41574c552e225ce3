"""Timestamps between naive-UTC datetimes (what the database holds) and protobuf."""

from __future__ import annotations

import datetime as dt

from google.protobuf import timestamp_pb2


def timestamp(value: dt.datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value.replace(tzinfo=dt.UTC))
    return ts


def from_timestamp(ts: timestamp_pb2.Timestamp, present: bool) -> dt.datetime | None:
    return ts.ToDatetime() if present else None


def from_unix(seconds: int) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None) if seconds else None
