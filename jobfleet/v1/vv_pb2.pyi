import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class VersionVariable(_message.Message):
    __slots__ = ("id", "node", "name", "value", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: int
    node: str
    name: str
    value: str
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., node: _Optional[str] = ..., name: _Optional[str] = ..., value: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListVersionVariablesRequest(_message.Message):
    __slots__ = ("project_id", "node", "name", "updated_after", "updated_before")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AFTER_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    node: str
    name: str
    updated_after: int
    updated_before: int
    def __init__(self, project_id: _Optional[int] = ..., node: _Optional[str] = ..., name: _Optional[str] = ..., updated_after: _Optional[int] = ..., updated_before: _Optional[int] = ...) -> None: ...

class ListVersionVariablesResponse(_message.Message):
    __slots__ = ("variables",)
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    variables: _containers.RepeatedCompositeFieldContainer[VersionVariable]
    def __init__(self, variables: _Optional[_Iterable[_Union[VersionVariable, _Mapping]]] = ...) -> None: ...

class CountVersionsRequest(_message.Message):
    __slots__ = ("project_id",)
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    def __init__(self, project_id: _Optional[int] = ...) -> None: ...

class VersionCount(_message.Message):
    __slots__ = ("name", "value", "count")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    count: int
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class CountVersionsResponse(_message.Message):
    __slots__ = ("counts",)
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    counts: _containers.RepeatedCompositeFieldContainer[VersionCount]
    def __init__(self, counts: _Optional[_Iterable[_Union[VersionCount, _Mapping]]] = ...) -> None: ...

class DeleteNodeVersionVariablesRequest(_message.Message):
    __slots__ = ("project_id", "node")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    node: str
    def __init__(self, project_id: _Optional[int] = ..., node: _Optional[str] = ...) -> None: ...

class DeleteNodeVersionVariablesResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: int
    def __init__(self, deleted: _Optional[int] = ...) -> None: ...

class ListVersionValuesRequest(_message.Message):
    __slots__ = ("project_id", "appname")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    APPNAME_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    appname: str
    def __init__(self, project_id: _Optional[int] = ..., appname: _Optional[str] = ...) -> None: ...

class ListVersionValuesResponse(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, values: _Optional[_Iterable[str]] = ...) -> None: ...
