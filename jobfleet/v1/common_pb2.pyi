import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TaskStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TASK_STATUS_UNSPECIFIED: _ClassVar[TaskStatus]
    TASK_STATUS_INIT: _ClassVar[TaskStatus]
    TASK_STATUS_RUNNING: _ClassVar[TaskStatus]
    TASK_STATUS_SUCCESS: _ClassVar[TaskStatus]
    TASK_STATUS_FAIL: _ClassVar[TaskStatus]
    TASK_STATUS_KILLED: _ClassVar[TaskStatus]
    TASK_STATUS_DECISION: _ClassVar[TaskStatus]
    TASK_STATUS_WAITING: _ClassVar[TaskStatus]
    TASK_STATUS_REFUSE: _ClassVar[TaskStatus]

class SubtaskStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBTASK_STATUS_UNSPECIFIED: _ClassVar[SubtaskStatus]
    SUBTASK_STATUS_INIT: _ClassVar[SubtaskStatus]
    SUBTASK_STATUS_RUNNING: _ClassVar[SubtaskStatus]
    SUBTASK_STATUS_SUCCESS: _ClassVar[SubtaskStatus]
    SUBTASK_STATUS_FAIL: _ClassVar[SubtaskStatus]
    SUBTASK_STATUS_DECISION: _ClassVar[SubtaskStatus]
    SUBTASK_STATUS_IGNORE: _ClassVar[SubtaskStatus]
    SUBTASK_STATUS_KILLED: _ClassVar[SubtaskStatus]
    SUBTASK_STATUS_REFUSE: _ClassVar[SubtaskStatus]
    SUBTASK_STATUS_SKIPPED: _ClassVar[SubtaskStatus]

class NodeSelectorType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NODE_SELECTOR_TYPE_UNSPECIFIED: _ClassVar[NodeSelectorType]
    NODE_SELECTOR_TYPE_BUILTIN: _ClassVar[NodeSelectorType]
    NODE_SELECTOR_TYPE_GROUP: _ClassVar[NodeSelectorType]
    NODE_SELECTOR_TYPE_VARIABLE: _ClassVar[NodeSelectorType]
    NODE_SELECTOR_TYPE_FILESERVER: _ClassVar[NodeSelectorType]

class ExecutionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXECUTION_STATUS_UNSPECIFIED: _ClassVar[ExecutionStatus]
    EXECUTION_STATUS_PENDING: _ClassVar[ExecutionStatus]
    EXECUTION_STATUS_RUNNING: _ClassVar[ExecutionStatus]
    EXECUTION_STATUS_SUCCESS: _ClassVar[ExecutionStatus]
    EXECUTION_STATUS_FAIL: _ClassVar[ExecutionStatus]
    EXECUTION_STATUS_TIMEOUT: _ClassVar[ExecutionStatus]
    EXECUTION_STATUS_KILLED: _ClassVar[ExecutionStatus]
    EXECUTION_STATUS_LOST: _ClassVar[ExecutionStatus]
    EXECUTION_STATUS_QUEUED: _ClassVar[ExecutionStatus]

class ScriptType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCRIPT_TYPE_UNSPECIFIED: _ClassVar[ScriptType]
    SCRIPT_TYPE_SHELL: _ClassVar[ScriptType]
    SCRIPT_TYPE_PYTHON: _ClassVar[ScriptType]
    SCRIPT_TYPE_PERL: _ClassVar[ScriptType]
TASK_STATUS_UNSPECIFIED: TaskStatus
TASK_STATUS_INIT: TaskStatus
TASK_STATUS_RUNNING: TaskStatus
TASK_STATUS_SUCCESS: TaskStatus
TASK_STATUS_FAIL: TaskStatus
TASK_STATUS_KILLED: TaskStatus
TASK_STATUS_DECISION: TaskStatus
TASK_STATUS_WAITING: TaskStatus
TASK_STATUS_REFUSE: TaskStatus
SUBTASK_STATUS_UNSPECIFIED: SubtaskStatus
SUBTASK_STATUS_INIT: SubtaskStatus
SUBTASK_STATUS_RUNNING: SubtaskStatus
SUBTASK_STATUS_SUCCESS: SubtaskStatus
SUBTASK_STATUS_FAIL: SubtaskStatus
SUBTASK_STATUS_DECISION: SubtaskStatus
SUBTASK_STATUS_IGNORE: SubtaskStatus
SUBTASK_STATUS_KILLED: SubtaskStatus
SUBTASK_STATUS_REFUSE: SubtaskStatus
SUBTASK_STATUS_SKIPPED: SubtaskStatus
NODE_SELECTOR_TYPE_UNSPECIFIED: NodeSelectorType
NODE_SELECTOR_TYPE_BUILTIN: NodeSelectorType
NODE_SELECTOR_TYPE_GROUP: NodeSelectorType
NODE_SELECTOR_TYPE_VARIABLE: NodeSelectorType
NODE_SELECTOR_TYPE_FILESERVER: NodeSelectorType
EXECUTION_STATUS_UNSPECIFIED: ExecutionStatus
EXECUTION_STATUS_PENDING: ExecutionStatus
EXECUTION_STATUS_RUNNING: ExecutionStatus
EXECUTION_STATUS_SUCCESS: ExecutionStatus
EXECUTION_STATUS_FAIL: ExecutionStatus
EXECUTION_STATUS_TIMEOUT: ExecutionStatus
EXECUTION_STATUS_KILLED: ExecutionStatus
EXECUTION_STATUS_LOST: ExecutionStatus
EXECUTION_STATUS_QUEUED: ExecutionStatus
SCRIPT_TYPE_UNSPECIFIED: ScriptType
SCRIPT_TYPE_SHELL: ScriptType
SCRIPT_TYPE_PYTHON: ScriptType
SCRIPT_TYPE_PERL: ScriptType

class NodeSelector(_message.Message):
    __slots__ = ("type", "content")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    type: NodeSelectorType
    content: str
    def __init__(self, type: _Optional[_Union[NodeSelectorType, str]] = ..., content: _Optional[str] = ...) -> None: ...

class CmdStep(_message.Message):
    __slots__ = ("user", "nodes", "script_type", "script", "args", "timeout_seconds", "script_id")
    USER_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    SCRIPT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SCRIPT_ID_FIELD_NUMBER: _ClassVar[int]
    user: str
    nodes: NodeSelector
    script_type: ScriptType
    script: str
    args: str
    timeout_seconds: int
    script_id: int
    def __init__(self, user: _Optional[str] = ..., nodes: _Optional[_Union[NodeSelector, _Mapping]] = ..., script_type: _Optional[_Union[ScriptType, str]] = ..., script: _Optional[str] = ..., args: _Optional[str] = ..., timeout_seconds: _Optional[int] = ..., script_id: _Optional[int] = ...) -> None: ...

class ApprovalStep(_message.Message):
    __slots__ = ("approvers", "content", "everyone", "relaxed", "timeout_seconds")
    APPROVERS_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    EVERYONE_FIELD_NUMBER: _ClassVar[int]
    RELAXED_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    approvers: str
    content: str
    everyone: bool
    relaxed: str
    timeout_seconds: int
    def __init__(self, approvers: _Optional[str] = ..., content: _Optional[str] = ..., everyone: _Optional[bool] = ..., relaxed: _Optional[str] = ..., timeout_seconds: _Optional[int] = ...) -> None: ...

class ScpStep(_message.Message):
    __slots__ = ("user", "src", "src_path", "dst", "dst_path", "chown", "chmod", "timeout_seconds")
    USER_FIELD_NUMBER: _ClassVar[int]
    SRC_FIELD_NUMBER: _ClassVar[int]
    SRC_PATH_FIELD_NUMBER: _ClassVar[int]
    DST_FIELD_NUMBER: _ClassVar[int]
    DST_PATH_FIELD_NUMBER: _ClassVar[int]
    CHOWN_FIELD_NUMBER: _ClassVar[int]
    CHMOD_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    user: str
    src: NodeSelector
    src_path: str
    dst: NodeSelector
    dst_path: str
    chown: str
    chmod: str
    timeout_seconds: int
    def __init__(self, user: _Optional[str] = ..., src: _Optional[_Union[NodeSelector, _Mapping]] = ..., src_path: _Optional[str] = ..., dst: _Optional[_Union[NodeSelector, _Mapping]] = ..., dst_path: _Optional[str] = ..., chown: _Optional[str] = ..., chmod: _Optional[str] = ..., timeout_seconds: _Optional[int] = ...) -> None: ...

class Step(_message.Message):
    __slots__ = ("uuid", "name", "pause", "cmd", "scp", "approval", "deployenv", "action", "batches")
    UUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAUSE_FIELD_NUMBER: _ClassVar[int]
    CMD_FIELD_NUMBER: _ClassVar[int]
    SCP_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_FIELD_NUMBER: _ClassVar[int]
    DEPLOYENV_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    name: str
    pause: str
    cmd: CmdStep
    scp: ScpStep
    approval: ApprovalStep
    deployenv: str
    action: str
    batches: str
    def __init__(self, uuid: _Optional[str] = ..., name: _Optional[str] = ..., pause: _Optional[str] = ..., cmd: _Optional[_Union[CmdStep, _Mapping]] = ..., scp: _Optional[_Union[ScpStep, _Mapping]] = ..., approval: _Optional[_Union[ApprovalStep, _Mapping]] = ..., deployenv: _Optional[str] = ..., action: _Optional[str] = ..., batches: _Optional[str] = ...) -> None: ...

class Subtask(_message.Message):
    __slots__ = ("uuid", "position", "status", "pause", "node_count", "started_at", "finished_at", "step", "nodes", "id")
    UUID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAUSE_FIELD_NUMBER: _ClassVar[int]
    NODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    position: int
    status: SubtaskStatus
    pause: str
    node_count: int
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    step: Step
    nodes: _containers.RepeatedScalarFieldContainer[str]
    id: int
    def __init__(self, uuid: _Optional[str] = ..., position: _Optional[int] = ..., status: _Optional[_Union[SubtaskStatus, str]] = ..., pause: _Optional[str] = ..., node_count: _Optional[int] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., step: _Optional[_Union[Step, _Mapping]] = ..., nodes: _Optional[_Iterable[str]] = ..., id: _Optional[int] = ...) -> None: ...

class Execution(_message.Message):
    __slots__ = ("id", "node", "slave", "status", "exit_code", "reason", "started_at", "finished_at", "log_bytes", "subtask_uuid", "attempt", "log_dropped_bytes", "ip", "cloud_id", "role", "copied_bytes")
    ID_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    SLAVE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    LOG_BYTES_FIELD_NUMBER: _ClassVar[int]
    SUBTASK_UUID_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    LOG_DROPPED_BYTES_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    CLOUD_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    COPIED_BYTES_FIELD_NUMBER: _ClassVar[int]
    id: int
    node: str
    slave: str
    status: ExecutionStatus
    exit_code: int
    reason: str
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    log_bytes: int
    subtask_uuid: str
    attempt: int
    log_dropped_bytes: int
    ip: str
    cloud_id: int
    role: str
    copied_bytes: int
    def __init__(self, id: _Optional[int] = ..., node: _Optional[str] = ..., slave: _Optional[str] = ..., status: _Optional[_Union[ExecutionStatus, str]] = ..., exit_code: _Optional[int] = ..., reason: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., log_bytes: _Optional[int] = ..., subtask_uuid: _Optional[str] = ..., attempt: _Optional[int] = ..., log_dropped_bytes: _Optional[int] = ..., ip: _Optional[str] = ..., cloud_id: _Optional[int] = ..., role: _Optional[str] = ..., copied_bytes: _Optional[int] = ...) -> None: ...

class RunOptions(_message.Message):
    __slots__ = ("forks", "check", "nodegroup_id", "limit", "account_id", "inventory_str", "module", "arguments", "verbosity", "tags", "skip_tags", "diff_mode", "become_enabled", "force_handlers", "start_at_task", "variables_text", "job_kind", "callback_url")
    FORKS_FIELD_NUMBER: _ClassVar[int]
    CHECK_FIELD_NUMBER: _ClassVar[int]
    NODEGROUP_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_STR_FIELD_NUMBER: _ClassVar[int]
    MODULE_FIELD_NUMBER: _ClassVar[int]
    ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
    VERBOSITY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    SKIP_TAGS_FIELD_NUMBER: _ClassVar[int]
    DIFF_MODE_FIELD_NUMBER: _ClassVar[int]
    BECOME_ENABLED_FIELD_NUMBER: _ClassVar[int]
    FORCE_HANDLERS_FIELD_NUMBER: _ClassVar[int]
    START_AT_TASK_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_TEXT_FIELD_NUMBER: _ClassVar[int]
    JOB_KIND_FIELD_NUMBER: _ClassVar[int]
    CALLBACK_URL_FIELD_NUMBER: _ClassVar[int]
    forks: int
    check: bool
    nodegroup_id: int
    limit: str
    account_id: int
    inventory_str: str
    module: str
    arguments: str
    verbosity: int
    tags: str
    skip_tags: str
    diff_mode: bool
    become_enabled: bool
    force_handlers: bool
    start_at_task: str
    variables_text: str
    job_kind: str
    callback_url: str
    def __init__(self, forks: _Optional[int] = ..., check: _Optional[bool] = ..., nodegroup_id: _Optional[int] = ..., limit: _Optional[str] = ..., account_id: _Optional[int] = ..., inventory_str: _Optional[str] = ..., module: _Optional[str] = ..., arguments: _Optional[str] = ..., verbosity: _Optional[int] = ..., tags: _Optional[str] = ..., skip_tags: _Optional[str] = ..., diff_mode: _Optional[bool] = ..., become_enabled: _Optional[bool] = ..., force_handlers: _Optional[bool] = ..., start_at_task: _Optional[str] = ..., variables_text: _Optional[str] = ..., job_kind: _Optional[str] = ..., callback_url: _Optional[str] = ...) -> None: ...

class Task(_message.Message):
    __slots__ = ("uuid", "project_id", "name", "submitter", "status", "call_type", "job_type", "job_uuid", "mutex", "reason", "variables", "created_at", "started_at", "finished_at", "executions", "id", "slaves", "subtasks", "redo_of", "crontab_id", "options", "job_id", "note_count")
    class VariablesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    UUID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUBMITTER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CALL_TYPE_FIELD_NUMBER: _ClassVar[int]
    JOB_TYPE_FIELD_NUMBER: _ClassVar[int]
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    MUTEX_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    EXECUTIONS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    SLAVES_FIELD_NUMBER: _ClassVar[int]
    SUBTASKS_FIELD_NUMBER: _ClassVar[int]
    REDO_OF_FIELD_NUMBER: _ClassVar[int]
    CRONTAB_ID_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_COUNT_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    project_id: int
    name: str
    submitter: str
    status: TaskStatus
    call_type: str
    job_type: str
    job_uuid: str
    mutex: str
    reason: str
    variables: _containers.ScalarMap[str, str]
    created_at: _timestamp_pb2.Timestamp
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    executions: _containers.RepeatedCompositeFieldContainer[Execution]
    id: int
    slaves: _containers.RepeatedScalarFieldContainer[str]
    subtasks: _containers.RepeatedCompositeFieldContainer[Subtask]
    redo_of: str
    crontab_id: int
    options: RunOptions
    job_id: int
    note_count: int
    def __init__(self, uuid: _Optional[str] = ..., project_id: _Optional[int] = ..., name: _Optional[str] = ..., submitter: _Optional[str] = ..., status: _Optional[_Union[TaskStatus, str]] = ..., call_type: _Optional[str] = ..., job_type: _Optional[str] = ..., job_uuid: _Optional[str] = ..., mutex: _Optional[str] = ..., reason: _Optional[str] = ..., variables: _Optional[_Mapping[str, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., executions: _Optional[_Iterable[_Union[Execution, _Mapping]]] = ..., id: _Optional[int] = ..., slaves: _Optional[_Iterable[str]] = ..., subtasks: _Optional[_Iterable[_Union[Subtask, _Mapping]]] = ..., redo_of: _Optional[str] = ..., crontab_id: _Optional[int] = ..., options: _Optional[_Union[RunOptions, _Mapping]] = ..., job_id: _Optional[int] = ..., note_count: _Optional[int] = ...) -> None: ...
