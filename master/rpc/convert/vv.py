"""Protobuf of version variables."""

from __future__ import annotations

from jobfleet.v1 import vv_pb2 as pb
from master.db.models import VersionVariable
from master.rpc.convert.timestamps import timestamp


def variable(row: VersionVariable) -> pb.VersionVariable:
    return pb.VersionVariable(
        id=row.id,
        node=row.node,
        name=row.name,
        value=row.value,
        update_time=timestamp(row.update_time),
    )
