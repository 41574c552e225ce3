from jobfleet.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SubmitCommandRequest(_message.Message):
    __slots__ = ("project_id", "name", "submitter", "user", "nodes", "script_type", "script", "args", "timeout_seconds", "variables", "call_type")
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
    def __init__(self, project_id: _Optional[int] = ..., name: _Optional[str] = ..., submitter: _Optional[str] = ..., user: _Optional[str] = ..., nodes: _Optional[_Iterable[str]] = ..., script_type: _Optional[_Union[_common_pb2.ScriptType, str]] = ..., script: _Optional[str] = ..., args: _Optional[_Iterable[str]] = ..., timeout_seconds: _Optional[int] = ..., variables: _Optional[_Mapping[str, str]] = ..., call_type: _Optional[str] = ...) -> None: ...

class SubmitCommandResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _common_pb2.Task
    def __init__(self, task: _Optional[_Union[_common_pb2.Task, _Mapping]] = ...) -> None: ...

class GetTaskRequest(_message.Message):
    __slots__ = ("project_id", "uuid")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    uuid: str
    def __init__(self, project_id: _Optional[int] = ..., uuid: _Optional[str] = ...) -> None: ...

class GetTaskResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _common_pb2.Task
    def __init__(self, task: _Optional[_Union[_common_pb2.Task, _Mapping]] = ...) -> None: ...

class ListTasksRequest(_message.Message):
    __slots__ = ("project_id", "name_contains", "submitter", "status", "started_after_unix", "started_before_unix", "uuid", "limit", "offset")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    SUBMITTER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AFTER_UNIX_FIELD_NUMBER: _ClassVar[int]
    STARTED_BEFORE_UNIX_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    name_contains: str
    submitter: str
    status: _common_pb2.TaskStatus
    started_after_unix: int
    started_before_unix: int
    uuid: str
    limit: int
    offset: int
    def __init__(self, project_id: _Optional[int] = ..., name_contains: _Optional[str] = ..., submitter: _Optional[str] = ..., status: _Optional[_Union[_common_pb2.TaskStatus, str]] = ..., started_after_unix: _Optional[int] = ..., started_before_unix: _Optional[int] = ..., uuid: _Optional[str] = ..., limit: _Optional[int] = ..., offset: _Optional[int] = ...) -> None: ...

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
    __slots__ = ("execution_id", "from_seq", "max_bytes")
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_SEQ_FIELD_NUMBER: _ClassVar[int]
    MAX_BYTES_FIELD_NUMBER: _ClassVar[int]
    execution_id: int
    from_seq: int
    max_bytes: int
    def __init__(self, execution_id: _Optional[int] = ..., from_seq: _Optional[int] = ..., max_bytes: _Optional[int] = ...) -> None: ...

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
    __slots__ = ("project_id", "uuid")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    uuid: str
    def __init__(self, project_id: _Optional[int] = ..., uuid: _Optional[str] = ...) -> None: ...

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
    __slots__ = ("execution_id", "node", "data")
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    execution_id: int
    node: str
    data: bytes
    def __init__(self, execution_id: _Optional[int] = ..., node: _Optional[str] = ..., data: _Optional[bytes] = ...) -> None: ...
