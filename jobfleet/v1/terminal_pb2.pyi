import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TerminalMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TERMINAL_MODE_UNSPECIFIED: _ClassVar[TerminalMode]
    TERMINAL_MODE_SHELL: _ClassVar[TerminalMode]
    TERMINAL_MODE_LINES: _ClassVar[TerminalMode]

class TerminalLogKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TERMINAL_LOG_KIND_UNSPECIFIED: _ClassVar[TerminalLogKind]
    TERMINAL_LOG_KIND_START: _ClassVar[TerminalLogKind]
    TERMINAL_LOG_KIND_LINE: _ClassVar[TerminalLogKind]
    TERMINAL_LOG_KIND_HIDDEN: _ClassVar[TerminalLogKind]
    TERMINAL_LOG_KIND_END: _ClassVar[TerminalLogKind]
    TERMINAL_LOG_KIND_COMMAND: _ClassVar[TerminalLogKind]
TERMINAL_MODE_UNSPECIFIED: TerminalMode
TERMINAL_MODE_SHELL: TerminalMode
TERMINAL_MODE_LINES: TerminalMode
TERMINAL_LOG_KIND_UNSPECIFIED: TerminalLogKind
TERMINAL_LOG_KIND_START: TerminalLogKind
TERMINAL_LOG_KIND_LINE: TerminalLogKind
TERMINAL_LOG_KIND_HIDDEN: TerminalLogKind
TERMINAL_LOG_KIND_END: TerminalLogKind
TERMINAL_LOG_KIND_COMMAND: TerminalLogKind

class TerminalSize(_message.Message):
    __slots__ = ("cols", "rows")
    COLS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    cols: int
    rows: int
    def __init__(self, cols: _Optional[int] = ..., rows: _Optional[int] = ...) -> None: ...

class TerminalOpen(_message.Message):
    __slots__ = ("project_id", "nodes", "group_id", "user", "mode", "size", "term", "ticket", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    TICKET_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    nodes: _containers.RepeatedScalarFieldContainer[str]
    group_id: int
    user: str
    mode: TerminalMode
    size: TerminalSize
    term: str
    ticket: str
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., nodes: _Optional[_Iterable[str]] = ..., group_id: _Optional[int] = ..., user: _Optional[str] = ..., mode: _Optional[_Union[TerminalMode, str]] = ..., size: _Optional[_Union[TerminalSize, _Mapping]] = ..., term: _Optional[str] = ..., ticket: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class TerminalClientFrame(_message.Message):
    __slots__ = ("open", "input", "resize", "line", "interrupt")
    OPEN_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    RESIZE_FIELD_NUMBER: _ClassVar[int]
    LINE_FIELD_NUMBER: _ClassVar[int]
    INTERRUPT_FIELD_NUMBER: _ClassVar[int]
    open: TerminalOpen
    input: bytes
    resize: TerminalSize
    line: str
    interrupt: bool
    def __init__(self, open: _Optional[_Union[TerminalOpen, _Mapping]] = ..., input: _Optional[bytes] = ..., resize: _Optional[_Union[TerminalSize, _Mapping]] = ..., line: _Optional[str] = ..., interrupt: _Optional[bool] = ...) -> None: ...

class TerminalOpened(_message.Message):
    __slots__ = ("session_id", "mode", "nodes", "user", "idle_timeout_seconds", "recorded")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    IDLE_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    mode: TerminalMode
    nodes: _containers.RepeatedScalarFieldContainer[str]
    user: str
    idle_timeout_seconds: int
    recorded: bool
    def __init__(self, session_id: _Optional[str] = ..., mode: _Optional[_Union[TerminalMode, str]] = ..., nodes: _Optional[_Iterable[str]] = ..., user: _Optional[str] = ..., idle_timeout_seconds: _Optional[int] = ..., recorded: _Optional[bool] = ...) -> None: ...

class LineOutput(_message.Message):
    __slots__ = ("node", "data", "stderr")
    NODE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    node: str
    data: bytes
    stderr: bool
    def __init__(self, node: _Optional[str] = ..., data: _Optional[bytes] = ..., stderr: _Optional[bool] = ...) -> None: ...

class LineFinished(_message.Message):
    __slots__ = ("node", "exit_code", "status", "reason")
    NODE_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    node: str
    exit_code: int
    status: str
    reason: str
    def __init__(self, node: _Optional[str] = ..., exit_code: _Optional[int] = ..., status: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class LineSummary(_message.Message):
    __slots__ = ("task_uuid", "succeeded", "failed", "seconds")
    TASK_UUID_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    task_uuid: str
    succeeded: int
    failed: int
    seconds: float
    def __init__(self, task_uuid: _Optional[str] = ..., succeeded: _Optional[int] = ..., failed: _Optional[int] = ..., seconds: _Optional[float] = ...) -> None: ...

class TerminalClosed(_message.Message):
    __slots__ = ("exit_code", "reason")
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    exit_code: int
    reason: str
    def __init__(self, exit_code: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class TerminalServerFrame(_message.Message):
    __slots__ = ("opened", "output", "line_output", "line_finished", "line_summary", "closed")
    OPENED_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    LINE_OUTPUT_FIELD_NUMBER: _ClassVar[int]
    LINE_FINISHED_FIELD_NUMBER: _ClassVar[int]
    LINE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    opened: TerminalOpened
    output: bytes
    line_output: LineOutput
    line_finished: LineFinished
    line_summary: LineSummary
    closed: TerminalClosed
    def __init__(self, opened: _Optional[_Union[TerminalOpened, _Mapping]] = ..., output: _Optional[bytes] = ..., line_output: _Optional[_Union[LineOutput, _Mapping]] = ..., line_finished: _Optional[_Union[LineFinished, _Mapping]] = ..., line_summary: _Optional[_Union[LineSummary, _Mapping]] = ..., closed: _Optional[_Union[TerminalClosed, _Mapping]] = ...) -> None: ...

class IssueTerminalTicketRequest(_message.Message):
    __slots__ = ("open",)
    OPEN_FIELD_NUMBER: _ClassVar[int]
    open: TerminalOpen
    def __init__(self, open: _Optional[_Union[TerminalOpen, _Mapping]] = ...) -> None: ...

class IssueTerminalTicketResponse(_message.Message):
    __slots__ = ("ticket", "expires_at", "nodes", "mode", "user")
    TICKET_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    ticket: str
    expires_at: _timestamp_pb2.Timestamp
    nodes: _containers.RepeatedScalarFieldContainer[str]
    mode: TerminalMode
    user: str
    def __init__(self, ticket: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., nodes: _Optional[_Iterable[str]] = ..., mode: _Optional[_Union[TerminalMode, str]] = ..., user: _Optional[str] = ...) -> None: ...

class TerminalLogEntry(_message.Message):
    __slots__ = ("id", "project_id", "session_id", "actor", "node", "user", "cmd", "kind", "time", "task_uuid")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    CMD_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    TASK_UUID_FIELD_NUMBER: _ClassVar[int]
    id: int
    project_id: int
    session_id: str
    actor: str
    node: str
    user: str
    cmd: str
    kind: TerminalLogKind
    time: _timestamp_pb2.Timestamp
    task_uuid: str
    def __init__(self, id: _Optional[int] = ..., project_id: _Optional[int] = ..., session_id: _Optional[str] = ..., actor: _Optional[str] = ..., node: _Optional[str] = ..., user: _Optional[str] = ..., cmd: _Optional[str] = ..., kind: _Optional[_Union[TerminalLogKind, str]] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., task_uuid: _Optional[str] = ...) -> None: ...

class ListTerminalLogRequest(_message.Message):
    __slots__ = ("project_id", "actor", "node", "user", "cmd", "after_unix", "before_unix", "session_id", "limit", "before_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    CMD_FIELD_NUMBER: _ClassVar[int]
    AFTER_UNIX_FIELD_NUMBER: _ClassVar[int]
    BEFORE_UNIX_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    BEFORE_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    actor: str
    node: str
    user: str
    cmd: str
    after_unix: int
    before_unix: int
    session_id: str
    limit: int
    before_id: int
    def __init__(self, project_id: _Optional[int] = ..., actor: _Optional[str] = ..., node: _Optional[str] = ..., user: _Optional[str] = ..., cmd: _Optional[str] = ..., after_unix: _Optional[int] = ..., before_unix: _Optional[int] = ..., session_id: _Optional[str] = ..., limit: _Optional[int] = ..., before_id: _Optional[int] = ...) -> None: ...

class ListTerminalLogResponse(_message.Message):
    __slots__ = ("entries", "more")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    MORE_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[TerminalLogEntry]
    more: bool
    def __init__(self, entries: _Optional[_Iterable[_Union[TerminalLogEntry, _Mapping]]] = ..., more: _Optional[bool] = ...) -> None: ...

class GetTerminalRecordingRequest(_message.Message):
    __slots__ = ("project_id", "session_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    session_id: str
    def __init__(self, project_id: _Optional[int] = ..., session_id: _Optional[str] = ...) -> None: ...

class TerminalRecordingChunk(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class GetTerminalSettingsRequest(_message.Message):
    __slots__ = ("project_id",)
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    def __init__(self, project_id: _Optional[int] = ...) -> None: ...

class SetTerminalSettingsRequest(_message.Message):
    __slots__ = ("project_id", "record", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    record: bool
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., record: _Optional[bool] = ..., actor: _Optional[str] = ...) -> None: ...

class TerminalSettings(_message.Message):
    __slots__ = ("project_id", "record")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    record: bool
    def __init__(self, project_id: _Optional[int] = ..., record: _Optional[bool] = ...) -> None: ...
