import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListMastersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class MasterInfo(_message.Message):
    __slots__ = ("name", "pid", "started_at", "heartbeat_age", "slaves", "tasks")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_AGE_FIELD_NUMBER: _ClassVar[int]
    SLAVES_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    name: str
    pid: int
    started_at: _timestamp_pb2.Timestamp
    heartbeat_age: float
    slaves: int
    tasks: int
    def __init__(self, name: _Optional[str] = ..., pid: _Optional[int] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., heartbeat_age: _Optional[float] = ..., slaves: _Optional[int] = ..., tasks: _Optional[int] = ...) -> None: ...

class ListMastersResponse(_message.Message):
    __slots__ = ("masters", "cluster", "answered_by")
    MASTERS_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_BY_FIELD_NUMBER: _ClassVar[int]
    masters: _containers.RepeatedCompositeFieldContainer[MasterInfo]
    cluster: bool
    answered_by: str
    def __init__(self, masters: _Optional[_Iterable[_Union[MasterInfo, _Mapping]]] = ..., cluster: _Optional[bool] = ..., answered_by: _Optional[str] = ...) -> None: ...
