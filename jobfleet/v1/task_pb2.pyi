import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from jobfleet.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SubtaskControl(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBTASK_CONTROL_UNSPECIFIED: _ClassVar[SubtaskControl]
    SUBTASK_CONTROL_NEXT: _ClassVar[SubtaskControl]
    SUBTASK_CONTROL_FAIL: _ClassVar[SubtaskControl]
    SUBTASK_CONTROL_RUNNING: _ClassVar[SubtaskControl]
    SUBTASK_CONTROL_IGNORE: _ClassVar[SubtaskControl]
SUBTASK_CONTROL_UNSPECIFIED: SubtaskControl
SUBTASK_CONTROL_NEXT: SubtaskControl
SUBTASK_CONTROL_FAIL: SubtaskControl
SUBTASK_CONTROL_RUNNING: SubtaskControl
SUBTASK_CONTROL_IGNORE: SubtaskControl

class SubmitCommandRequest(_message.Message):
    __slots__ = ("project_id", "name", "submitter", "user", "nodes", "script_type", "script", "args", "timeout_seconds", "variables", "call_type", "script_id", "options")
    class VariablesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUBMITTER_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    SCRIPT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    CALL_TYPE_FIELD_NUMBER: _ClassVar[int]
    SCRIPT_ID_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    name: str
    submitter: str
    user: str
    nodes: _containers.RepeatedScalarFieldContainer[str]
    script_type: _common_pb2.ScriptType
    script: str
    args: _containers.RepeatedScalarFieldContainer[str]
    timeout_seconds: int
    variables: _containers.ScalarMap[str, str]
    call_type: str
    script_id: int
    options: _common_pb2.RunOptions
    def __init__(self, project_id: _Optional[int] = ..., name: _Optional[str] = ..., submitter: _Optional[str] = ..., user: _Optional[str] = ..., nodes: _Optional[_Iterable[str]] = ..., script_type: _Optional[_Union[_common_pb2.ScriptType, str]] = ..., script: _Optional[str] = ..., args: _Optional[_Iterable[str]] = ..., timeout_seconds: _Optional[int] = ..., variables: _Optional[_Mapping[str, str]] = ..., call_type: _Optional[str] = ..., script_id: _Optional[int] = ..., options: _Optional[_Union[_common_pb2.RunOptions, _Mapping]] = ...) -> None: ...

class SubmitCommandResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _common_pb2.Task
    def __init__(self, task: _Optional[_Union[_common_pb2.Task, _Mapping]] = ...) -> None: ...

class GetTaskRequest(_message.Message):
    __slots__ = ("project_id", "uuid", "id", "wait_seconds", "seen_etag")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    WAIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SEEN_ETAG_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    uuid: str
    id: int
    wait_seconds: int
    seen_etag: str
    def __init__(self, project_id: _Optional[int] = ..., uuid: _Optional[str] = ..., id: _Optional[int] = ..., wait_seconds: _Optional[int] = ..., seen_etag: _Optional[str] = ...) -> None: ...

class GetTaskResponse(_message.Message):
    __slots__ = ("task", "etag")
    TASK_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    task: _common_pb2.Task
    etag: str
    def __init__(self, task: _Optional[_Union[_common_pb2.Task, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class ListTasksRequest(_message.Message):
    __slots__ = ("project_id", "name_contains", "submitter", "status", "started_after_unix", "started_before_unix", "uuid", "limit", "offset", "statuses", "job_id", "nodegroup_id", "account_id", "crontab_id", "job_types", "order_by")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    SUBMITTER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AFTER_UNIX_FIELD_NUMBER: _ClassVar[int]
    STARTED_BEFORE_UNIX_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    NODEGROUP_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    CRONTAB_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_TYPES_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    name_contains: str
    submitter: str
    status: _common_pb2.TaskStatus
    started_after_unix: int
    started_before_unix: int
    uuid: str
    limit: int
    offset: int
    statuses: _containers.RepeatedScalarFieldContainer[_common_pb2.TaskStatus]
    job_id: int
    nodegroup_id: int
    account_id: int
    crontab_id: int
    job_types: _containers.RepeatedScalarFieldContainer[str]
    order_by: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, project_id: _Optional[int] = ..., name_contains: _Optional[str] = ..., submitter: _Optional[str] = ..., status: _Optional[_Union[_common_pb2.TaskStatus, str]] = ..., started_after_unix: _Optional[int] = ..., started_before_unix: _Optional[int] = ..., uuid: _Optional[str] = ..., limit: _Optional[int] = ..., offset: _Optional[int] = ..., statuses: _Optional[_Iterable[_Union[_common_pb2.TaskStatus, str]]] = ..., job_id: _Optional[int] = ..., nodegroup_id: _Optional[int] = ..., account_id: _Optional[int] = ..., crontab_id: _Optional[int] = ..., job_types: _Optional[_Iterable[str]] = ..., order_by: _Optional[_Iterable[str]] = ...) -> None: ...

class ListTasksResponse(_message.Message):
    __slots__ = ("tasks", "total")
    TASKS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[_common_pb2.Task]
    total: int
    def __init__(self, tasks: _Optional[_Iterable[_Union[_common_pb2.Task, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class KillTaskRequest(_message.Message):
    __slots__ = ("project_id", "uuid", "reason")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    uuid: str
    reason: str
    def __init__(self, project_id: _Optional[int] = ..., uuid: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class KillTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _common_pb2.Task
    def __init__(self, task: _Optional[_Union[_common_pb2.Task, _Mapping]] = ...) -> None: ...

class ReadLogRequest(_message.Message):
    __slots__ = ("execution_id", "from_seq", "max_bytes", "project_id", "stderr")
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_SEQ_FIELD_NUMBER: _ClassVar[int]
    MAX_BYTES_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    execution_id: int
    from_seq: int
    max_bytes: int
    project_id: int
    stderr: bool
    def __init__(self, execution_id: _Optional[int] = ..., from_seq: _Optional[int] = ..., max_bytes: _Optional[int] = ..., project_id: _Optional[int] = ..., stderr: _Optional[bool] = ...) -> None: ...

class ReadLogResponse(_message.Message):
    __slots__ = ("data", "next_seq", "complete")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_SEQ_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    next_seq: int
    complete: bool
    def __init__(self, data: _Optional[bytes] = ..., next_seq: _Optional[int] = ..., complete: _Optional[bool] = ...) -> None: ...

class FollowTaskRequest(_message.Message):
    __slots__ = ("project_id", "uuid", "subtask_uuid")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    SUBTASK_UUID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    uuid: str
    subtask_uuid: str
    def __init__(self, project_id: _Optional[int] = ..., uuid: _Optional[str] = ..., subtask_uuid: _Optional[str] = ...) -> None: ...

class FollowTaskResponse(_message.Message):
    __slots__ = ("output", "execution", "task")
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    output: LogData
    execution: _common_pb2.Execution
    task: _common_pb2.Task
    def __init__(self, output: _Optional[_Union[LogData, _Mapping]] = ..., execution: _Optional[_Union[_common_pb2.Execution, _Mapping]] = ..., task: _Optional[_Union[_common_pb2.Task, _Mapping]] = ...) -> None: ...

class LogData(_message.Message):
    __slots__ = ("execution_id", "node", "data", "stderr")
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    execution_id: int
    node: str
    data: bytes
    stderr: bool
    def __init__(self, execution_id: _Optional[int] = ..., node: _Optional[str] = ..., data: _Optional[bytes] = ..., stderr: _Optional[bool] = ...) -> None: ...

class SubmitJobRequest(_message.Message):
    __slots__ = ("project_id", "job_uuid", "job_name", "variables", "task_uuid", "submitter", "call_type", "options", "nodes")
    class VariablesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    JOB_NAME_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    TASK_UUID_FIELD_NUMBER: _ClassVar[int]
    SUBMITTER_FIELD_NUMBER: _ClassVar[int]
    CALL_TYPE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    job_uuid: str
    job_name: str
    variables: _containers.ScalarMap[str, str]
    task_uuid: str
    submitter: str
    call_type: str
    options: _common_pb2.RunOptions
    nodes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, project_id: _Optional[int] = ..., job_uuid: _Optional[str] = ..., job_name: _Optional[str] = ..., variables: _Optional[_Mapping[str, str]] = ..., task_uuid: _Optional[str] = ..., submitter: _Optional[str] = ..., call_type: _Optional[str] = ..., options: _Optional[_Union[_common_pb2.RunOptions, _Mapping]] = ..., nodes: _Optional[_Iterable[str]] = ...) -> None: ...

class SubmitJobResponse(_message.Message):
    __slots__ = ("task", "created")
    TASK_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    task: _common_pb2.Task
    created: bool
    def __init__(self, task: _Optional[_Union[_common_pb2.Task, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class DryRunRequest(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: SubmitJobRequest
    def __init__(self, job: _Optional[_Union[SubmitJobRequest, _Mapping]] = ...) -> None: ...

class PlannedStep(_message.Message):
    __slots__ = ("step", "nodes", "skip_reason")
    STEP_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    SKIP_REASON_FIELD_NUMBER: _ClassVar[int]
    step: _common_pb2.Step
    nodes: _containers.RepeatedScalarFieldContainer[str]
    skip_reason: str
    def __init__(self, step: _Optional[_Union[_common_pb2.Step, _Mapping]] = ..., nodes: _Optional[_Iterable[str]] = ..., skip_reason: _Optional[str] = ...) -> None: ...

class DryRunResponse(_message.Message):
    __slots__ = ("steps", "variables")
    class VariablesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    STEPS_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    steps: _containers.RepeatedCompositeFieldContainer[PlannedStep]
    variables: _containers.ScalarMap[str, str]
    def __init__(self, steps: _Optional[_Iterable[_Union[PlannedStep, _Mapping]]] = ..., variables: _Optional[_Mapping[str, str]] = ...) -> None: ...

class RedoTaskRequest(_message.Message):
    __slots__ = ("project_id", "uuid", "submitter")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    SUBMITTER_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    uuid: str
    submitter: str
    def __init__(self, project_id: _Optional[int] = ..., uuid: _Optional[str] = ..., submitter: _Optional[str] = ...) -> None: ...

class RedoTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _common_pb2.Task
    def __init__(self, task: _Optional[_Union[_common_pb2.Task, _Mapping]] = ...) -> None: ...

class CountTasksRequest(_message.Message):
    __slots__ = ("project_id", "since_unix")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SINCE_UNIX_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    since_unix: int
    def __init__(self, project_id: _Optional[int] = ..., since_unix: _Optional[int] = ...) -> None: ...

class CountTasksResponse(_message.Message):
    __slots__ = ("count", "statuses")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    count: int
    statuses: _containers.RepeatedCompositeFieldContainer[TaskStatusCount]
    def __init__(self, count: _Optional[int] = ..., statuses: _Optional[_Iterable[_Union[TaskStatusCount, _Mapping]]] = ...) -> None: ...

class TaskStatusCount(_message.Message):
    __slots__ = ("status", "count")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    status: _common_pb2.TaskStatus
    count: int
    def __init__(self, status: _Optional[_Union[_common_pb2.TaskStatus, str]] = ..., count: _Optional[int] = ...) -> None: ...

class ControlSubtaskRequest(_message.Message):
    __slots__ = ("project_id", "task_uuid", "subtask_uuid", "control", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_UUID_FIELD_NUMBER: _ClassVar[int]
    SUBTASK_UUID_FIELD_NUMBER: _ClassVar[int]
    CONTROL_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    task_uuid: str
    subtask_uuid: str
    control: SubtaskControl
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., task_uuid: _Optional[str] = ..., subtask_uuid: _Optional[str] = ..., control: _Optional[_Union[SubtaskControl, str]] = ..., actor: _Optional[str] = ...) -> None: ...

class ControlSubtaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _common_pb2.Task
    def __init__(self, task: _Optional[_Union[_common_pb2.Task, _Mapping]] = ...) -> None: ...

class SubmitCopyRequest(_message.Message):
    __slots__ = ("project_id", "name", "submitter", "scp", "variables", "call_type", "options")
    class VariablesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUBMITTER_FIELD_NUMBER: _ClassVar[int]
    SCP_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    CALL_TYPE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    name: str
    submitter: str
    scp: _common_pb2.ScpStep
    variables: _containers.ScalarMap[str, str]
    call_type: str
    options: _common_pb2.RunOptions
    def __init__(self, project_id: _Optional[int] = ..., name: _Optional[str] = ..., submitter: _Optional[str] = ..., scp: _Optional[_Union[_common_pb2.ScpStep, _Mapping]] = ..., variables: _Optional[_Mapping[str, str]] = ..., call_type: _Optional[str] = ..., options: _Optional[_Union[_common_pb2.RunOptions, _Mapping]] = ...) -> None: ...

class SubmitCopyResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _common_pb2.Task
    def __init__(self, task: _Optional[_Union[_common_pb2.Task, _Mapping]] = ...) -> None: ...

class DeleteTasksRequest(_message.Message):
    __slots__ = ("project_id", "ids")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    IDS_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, project_id: _Optional[int] = ..., ids: _Optional[_Iterable[int]] = ...) -> None: ...

class DeleteTasksResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, deleted: _Optional[_Iterable[int]] = ...) -> None: ...

class RunLogEntry(_message.Message):
    __slots__ = ("id", "task_id", "created_at", "note", "author", "execution", "text", "truncated")
    ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    id: int
    task_id: int
    created_at: _timestamp_pb2.Timestamp
    note: bool
    author: str
    execution: _common_pb2.Execution
    text: bytes
    truncated: bool
    def __init__(self, id: _Optional[int] = ..., task_id: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[bool] = ..., author: _Optional[str] = ..., execution: _Optional[_Union[_common_pb2.Execution, _Mapping]] = ..., text: _Optional[bytes] = ..., truncated: _Optional[bool] = ...) -> None: ...

class ListRunLogsRequest(_message.Message):
    __slots__ = ("project_id", "task_id", "ids", "order_by", "limit", "offset", "max_bytes")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    IDS_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    MAX_BYTES_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    task_id: int
    ids: _containers.RepeatedScalarFieldContainer[int]
    order_by: _containers.RepeatedScalarFieldContainer[str]
    limit: int
    offset: int
    max_bytes: int
    def __init__(self, project_id: _Optional[int] = ..., task_id: _Optional[int] = ..., ids: _Optional[_Iterable[int]] = ..., order_by: _Optional[_Iterable[str]] = ..., limit: _Optional[int] = ..., offset: _Optional[int] = ..., max_bytes: _Optional[int] = ...) -> None: ...

class ListRunLogsResponse(_message.Message):
    __slots__ = ("entries", "total")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[RunLogEntry]
    total: int
    def __init__(self, entries: _Optional[_Iterable[_Union[RunLogEntry, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class AddTaskNoteRequest(_message.Message):
    __slots__ = ("project_id", "task_id", "text", "author")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    task_id: int
    text: str
    author: str
    def __init__(self, project_id: _Optional[int] = ..., task_id: _Optional[int] = ..., text: _Optional[str] = ..., author: _Optional[str] = ...) -> None: ...

class UpdateTaskNoteRequest(_message.Message):
    __slots__ = ("project_id", "id", "text", "task_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    text: str
    task_id: int
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ..., text: _Optional[str] = ..., task_id: _Optional[int] = ...) -> None: ...

class DeleteTaskNotesRequest(_message.Message):
    __slots__ = ("project_id", "ids")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    IDS_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, project_id: _Optional[int] = ..., ids: _Optional[_Iterable[int]] = ...) -> None: ...

class DeleteTaskNotesResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, deleted: _Optional[_Iterable[int]] = ...) -> None: ...

class WatchTaskChangesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TaskChanges(_message.Message):
    __slots__ = ("task_ids",)
    TASK_IDS_FIELD_NUMBER: _ClassVar[int]
    task_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, task_ids: _Optional[_Iterable[int]] = ...) -> None: ...
