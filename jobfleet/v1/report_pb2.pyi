import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from jobfleet.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecentTasksRequest(_message.Message):
    __slots__ = ("project_id", "count")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    count: int
    def __init__(self, project_id: _Optional[int] = ..., count: _Optional[int] = ...) -> None: ...

class RecentTask(_message.Message):
    __slots__ = ("id", "uuid", "name", "submitter", "status", "started_at", "finished_at", "runtime_ms")
    ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUBMITTER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_MS_FIELD_NUMBER: _ClassVar[int]
    id: int
    uuid: str
    name: str
    submitter: str
    status: _common_pb2.TaskStatus
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    runtime_ms: int
    def __init__(self, id: _Optional[int] = ..., uuid: _Optional[str] = ..., name: _Optional[str] = ..., submitter: _Optional[str] = ..., status: _Optional[_Union[_common_pb2.TaskStatus, str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., runtime_ms: _Optional[int] = ...) -> None: ...

class RecentTasksResponse(_message.Message):
    __slots__ = ("tasks",)
    TASKS_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[RecentTask]
    def __init__(self, tasks: _Optional[_Iterable[_Union[RecentTask, _Mapping]]] = ...) -> None: ...

class DailyCountsRequest(_message.Message):
    __slots__ = ("project_id", "page_project_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    page_project_id: int
    def __init__(self, project_id: _Optional[int] = ..., page_project_id: _Optional[int] = ...) -> None: ...

class DayCount(_message.Message):
    __slots__ = ("date", "total", "success")
    DATE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    date: str
    total: int
    success: int
    def __init__(self, date: _Optional[str] = ..., total: _Optional[int] = ..., success: _Optional[int] = ...) -> None: ...

class DailyCountsResponse(_message.Message):
    __slots__ = ("days", "time_zone")
    DAYS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedCompositeFieldContainer[DayCount]
    time_zone: str
    def __init__(self, days: _Optional[_Iterable[_Union[DayCount, _Mapping]]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class HourlyCountsRequest(_message.Message):
    __slots__ = ("project_id",)
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    def __init__(self, project_id: _Optional[int] = ...) -> None: ...

class HourCount(_message.Message):
    __slots__ = ("hour", "count")
    HOUR_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    hour: int
    count: int
    def __init__(self, hour: _Optional[int] = ..., count: _Optional[int] = ...) -> None: ...

class HourlyCountsResponse(_message.Message):
    __slots__ = ("hours", "time_zone")
    HOURS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    hours: _containers.RepeatedCompositeFieldContainer[HourCount]
    time_zone: str
    def __init__(self, hours: _Optional[_Iterable[_Union[HourCount, _Mapping]]] = ..., time_zone: _Optional[str] = ...) -> None: ...

class RuntimeBandsRequest(_message.Message):
    __slots__ = ("project_id",)
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    def __init__(self, project_id: _Optional[int] = ...) -> None: ...

class RuntimeBand(_message.Message):
    __slots__ = ("from_minutes", "to_minutes", "count")
    FROM_MINUTES_FIELD_NUMBER: _ClassVar[int]
    TO_MINUTES_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    from_minutes: int
    to_minutes: int
    count: int
    def __init__(self, from_minutes: _Optional[int] = ..., to_minutes: _Optional[int] = ..., count: _Optional[int] = ...) -> None: ...

class RuntimeBandsResponse(_message.Message):
    __slots__ = ("bands", "total")
    BANDS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    bands: _containers.RepeatedCompositeFieldContainer[RuntimeBand]
    total: int
    def __init__(self, bands: _Optional[_Iterable[_Union[RuntimeBand, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class ProjectCountsRequest(_message.Message):
    __slots__ = ("project_id", "page_project_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    page_project_id: int
    def __init__(self, project_id: _Optional[int] = ..., page_project_id: _Optional[int] = ...) -> None: ...

class ProjectCount(_message.Message):
    __slots__ = ("project_id", "count")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    count: int
    def __init__(self, project_id: _Optional[int] = ..., count: _Optional[int] = ...) -> None: ...

class ProjectCountsResponse(_message.Message):
    __slots__ = ("projects",)
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    projects: _containers.RepeatedCompositeFieldContainer[ProjectCount]
    def __init__(self, projects: _Optional[_Iterable[_Union[ProjectCount, _Mapping]]] = ...) -> None: ...
