import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from jobfleet.v1 import catalog_pb2 as _catalog_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CrontabStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CRONTAB_STATUS_UNSPECIFIED: _ClassVar[CrontabStatus]
    CRONTAB_STATUS_AVAILABLE: _ClassVar[CrontabStatus]
    CRONTAB_STATUS_UNAVAILABLE: _ClassVar[CrontabStatus]

class MisfirePolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MISFIRE_POLICY_UNSPECIFIED: _ClassVar[MisfirePolicy]
    MISFIRE_POLICY_SKIP: _ClassVar[MisfirePolicy]
    MISFIRE_POLICY_RUN_ONCE: _ClassVar[MisfirePolicy]

class CrontabFireOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CRONTAB_FIRE_OUTCOME_UNSPECIFIED: _ClassVar[CrontabFireOutcome]
    CRONTAB_FIRE_OUTCOME_STARTED: _ClassVar[CrontabFireOutcome]
    CRONTAB_FIRE_OUTCOME_SKIPPED_MUTEX: _ClassVar[CrontabFireOutcome]
    CRONTAB_FIRE_OUTCOME_MISFIRED: _ClassVar[CrontabFireOutcome]
    CRONTAB_FIRE_OUTCOME_FAILED: _ClassVar[CrontabFireOutcome]
CRONTAB_STATUS_UNSPECIFIED: CrontabStatus
CRONTAB_STATUS_AVAILABLE: CrontabStatus
CRONTAB_STATUS_UNAVAILABLE: CrontabStatus
MISFIRE_POLICY_UNSPECIFIED: MisfirePolicy
MISFIRE_POLICY_SKIP: MisfirePolicy
MISFIRE_POLICY_RUN_ONCE: MisfirePolicy
CRONTAB_FIRE_OUTCOME_UNSPECIFIED: CrontabFireOutcome
CRONTAB_FIRE_OUTCOME_STARTED: CrontabFireOutcome
CRONTAB_FIRE_OUTCOME_SKIPPED_MUTEX: CrontabFireOutcome
CRONTAB_FIRE_OUTCOME_MISFIRED: CrontabFireOutcome
CRONTAB_FIRE_OUTCOME_FAILED: CrontabFireOutcome

class CrontabFire(_message.Message):
    __slots__ = ("fire_time", "outcome", "task_uuid", "reason", "through", "recorded_at")
    FIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    TASK_UUID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    THROUGH_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    fire_time: _timestamp_pb2.Timestamp
    outcome: CrontabFireOutcome
    task_uuid: str
    reason: str
    through: _timestamp_pb2.Timestamp
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, fire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outcome: _Optional[_Union[CrontabFireOutcome, str]] = ..., task_uuid: _Optional[str] = ..., reason: _Optional[str] = ..., through: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Crontab(_message.Message):
    __slots__ = ("id", "project_id", "name", "job_uuid", "job_name", "cron", "time_zone", "mutex", "status", "misfire_policy", "misfire_grace_seconds", "next_fire_time", "recent_fires", "audit")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    JOB_NAME_FIELD_NUMBER: _ClassVar[int]
    CRON_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    MUTEX_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MISFIRE_POLICY_FIELD_NUMBER: _ClassVar[int]
    MISFIRE_GRACE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    RECENT_FIRES_FIELD_NUMBER: _ClassVar[int]
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    id: int
    project_id: int
    name: str
    job_uuid: str
    job_name: str
    cron: str
    time_zone: str
    mutex: str
    status: CrontabStatus
    misfire_policy: MisfirePolicy
    misfire_grace_seconds: int
    next_fire_time: _timestamp_pb2.Timestamp
    recent_fires: _containers.RepeatedCompositeFieldContainer[CrontabFire]
    audit: _catalog_pb2.Audit
    def __init__(self, id: _Optional[int] = ..., project_id: _Optional[int] = ..., name: _Optional[str] = ..., job_uuid: _Optional[str] = ..., job_name: _Optional[str] = ..., cron: _Optional[str] = ..., time_zone: _Optional[str] = ..., mutex: _Optional[str] = ..., status: _Optional[_Union[CrontabStatus, str]] = ..., misfire_policy: _Optional[_Union[MisfirePolicy, str]] = ..., misfire_grace_seconds: _Optional[int] = ..., next_fire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recent_fires: _Optional[_Iterable[_Union[CrontabFire, _Mapping]]] = ..., audit: _Optional[_Union[_catalog_pb2.Audit, _Mapping]] = ...) -> None: ...

class ListCrontabsRequest(_message.Message):
    __slots__ = ("project_id", "filter", "fire_limit", "status")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    FIRE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    filter: _catalog_pb2.ListFilter
    fire_limit: int
    status: CrontabStatus
    def __init__(self, project_id: _Optional[int] = ..., filter: _Optional[_Union[_catalog_pb2.ListFilter, _Mapping]] = ..., fire_limit: _Optional[int] = ..., status: _Optional[_Union[CrontabStatus, str]] = ...) -> None: ...

class ListCrontabsResponse(_message.Message):
    __slots__ = ("crontabs", "total")
    CRONTABS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    crontabs: _containers.RepeatedCompositeFieldContainer[Crontab]
    total: int
    def __init__(self, crontabs: _Optional[_Iterable[_Union[Crontab, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class GetCrontabRequest(_message.Message):
    __slots__ = ("project_id", "id", "fire_limit")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    FIRE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    fire_limit: int
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ..., fire_limit: _Optional[int] = ...) -> None: ...

class GetCrontabResponse(_message.Message):
    __slots__ = ("crontab",)
    CRONTAB_FIELD_NUMBER: _ClassVar[int]
    crontab: Crontab
    def __init__(self, crontab: _Optional[_Union[Crontab, _Mapping]] = ...) -> None: ...

class CreateCrontabRequest(_message.Message):
    __slots__ = ("project_id", "name", "job_uuid", "cron", "time_zone", "mutex", "misfire_policy", "misfire_grace_seconds", "actor", "status")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    CRON_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    MUTEX_FIELD_NUMBER: _ClassVar[int]
    MISFIRE_POLICY_FIELD_NUMBER: _ClassVar[int]
    MISFIRE_GRACE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    name: str
    job_uuid: str
    cron: str
    time_zone: str
    mutex: str
    misfire_policy: MisfirePolicy
    misfire_grace_seconds: int
    actor: str
    status: CrontabStatus
    def __init__(self, project_id: _Optional[int] = ..., name: _Optional[str] = ..., job_uuid: _Optional[str] = ..., cron: _Optional[str] = ..., time_zone: _Optional[str] = ..., mutex: _Optional[str] = ..., misfire_policy: _Optional[_Union[MisfirePolicy, str]] = ..., misfire_grace_seconds: _Optional[int] = ..., actor: _Optional[str] = ..., status: _Optional[_Union[CrontabStatus, str]] = ...) -> None: ...

class CreateCrontabResponse(_message.Message):
    __slots__ = ("crontab",)
    CRONTAB_FIELD_NUMBER: _ClassVar[int]
    crontab: Crontab
    def __init__(self, crontab: _Optional[_Union[Crontab, _Mapping]] = ...) -> None: ...

class UpdateCrontabRequest(_message.Message):
    __slots__ = ("project_id", "id", "name", "job_uuid", "cron", "time_zone", "mutex", "misfire_policy", "misfire_grace_seconds", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    CRON_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    MUTEX_FIELD_NUMBER: _ClassVar[int]
    MISFIRE_POLICY_FIELD_NUMBER: _ClassVar[int]
    MISFIRE_GRACE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    name: str
    job_uuid: str
    cron: str
    time_zone: str
    mutex: str
    misfire_policy: MisfirePolicy
    misfire_grace_seconds: int
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ..., name: _Optional[str] = ..., job_uuid: _Optional[str] = ..., cron: _Optional[str] = ..., time_zone: _Optional[str] = ..., mutex: _Optional[str] = ..., misfire_policy: _Optional[_Union[MisfirePolicy, str]] = ..., misfire_grace_seconds: _Optional[int] = ..., actor: _Optional[str] = ...) -> None: ...

class UpdateCrontabResponse(_message.Message):
    __slots__ = ("crontab",)
    CRONTAB_FIELD_NUMBER: _ClassVar[int]
    crontab: Crontab
    def __init__(self, crontab: _Optional[_Union[Crontab, _Mapping]] = ...) -> None: ...

class SetCrontabStatusRequest(_message.Message):
    __slots__ = ("project_id", "id", "status", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    status: CrontabStatus
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ..., status: _Optional[_Union[CrontabStatus, str]] = ..., actor: _Optional[str] = ...) -> None: ...

class SetCrontabStatusResponse(_message.Message):
    __slots__ = ("crontab",)
    CRONTAB_FIELD_NUMBER: _ClassVar[int]
    crontab: Crontab
    def __init__(self, crontab: _Optional[_Union[Crontab, _Mapping]] = ...) -> None: ...

class DeleteCrontabRequest(_message.Message):
    __slots__ = ("project_id", "id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ...) -> None: ...

class DeleteCrontabResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
