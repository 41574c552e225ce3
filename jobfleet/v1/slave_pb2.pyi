import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from jobfleet.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HostKeyPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HOST_KEY_POLICY_UNSPECIFIED: _ClassVar[HostKeyPolicy]
    HOST_KEY_POLICY_STRICT: _ClassVar[HostKeyPolicy]
    HOST_KEY_POLICY_ACCEPT_NEW: _ClassVar[HostKeyPolicy]
HOST_KEY_POLICY_UNSPECIFIED: HostKeyPolicy
HOST_KEY_POLICY_STRICT: HostKeyPolicy
HOST_KEY_POLICY_ACCEPT_NEW: HostKeyPolicy

class SlaveMessage(_message.Message):
    __slots__ = ("hello", "heartbeat", "started", "output", "result")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    hello: Hello
    heartbeat: Heartbeat
    started: ExecutionStarted
    output: OutputChunk
    result: ExecutionResult
    def __init__(self, hello: _Optional[_Union[Hello, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ..., started: _Optional[_Union[ExecutionStarted, _Mapping]] = ..., output: _Optional[_Union[OutputChunk, _Mapping]] = ..., result: _Optional[_Union[ExecutionResult, _Mapping]] = ...) -> None: ...

class MasterMessage(_message.Message):
    __slots__ = ("welcome", "run", "kill", "output_ack", "result_ack", "copy", "terminal")
    WELCOME_FIELD_NUMBER: _ClassVar[int]
    RUN_FIELD_NUMBER: _ClassVar[int]
    KILL_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_ACK_FIELD_NUMBER: _ClassVar[int]
    RESULT_ACK_FIELD_NUMBER: _ClassVar[int]
    COPY_FIELD_NUMBER: _ClassVar[int]
    TERMINAL_FIELD_NUMBER: _ClassVar[int]
    welcome: Welcome
    run: RunCommand
    kill: KillCommand
    output_ack: OutputAck
    result_ack: ResultAck
    copy: CopyCommand
    terminal: TerminalOrder
    def __init__(self, welcome: _Optional[_Union[Welcome, _Mapping]] = ..., run: _Optional[_Union[RunCommand, _Mapping]] = ..., kill: _Optional[_Union[KillCommand, _Mapping]] = ..., output_ack: _Optional[_Union[OutputAck, _Mapping]] = ..., result_ack: _Optional[_Union[ResultAck, _Mapping]] = ..., copy: _Optional[_Union[CopyCommand, _Mapping]] = ..., terminal: _Optional[_Union[TerminalOrder, _Mapping]] = ...) -> None: ...

class Hello(_message.Message):
    __slots__ = ("name", "version", "hostname", "addresses", "running_execution_ids", "finished_execution_ids", "join_token", "credential", "instance", "projects", "run_as")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    RUNNING_EXECUTION_IDS_FIELD_NUMBER: _ClassVar[int]
    FINISHED_EXECUTION_IDS_FIELD_NUMBER: _ClassVar[int]
    JOIN_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    RUN_AS_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: str
    hostname: str
    addresses: _containers.RepeatedScalarFieldContainer[str]
    running_execution_ids: _containers.RepeatedScalarFieldContainer[int]
    finished_execution_ids: _containers.RepeatedScalarFieldContainer[int]
    join_token: str
    credential: str
    instance: str
    projects: _containers.RepeatedScalarFieldContainer[int]
    run_as: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., version: _Optional[str] = ..., hostname: _Optional[str] = ..., addresses: _Optional[_Iterable[str]] = ..., running_execution_ids: _Optional[_Iterable[int]] = ..., finished_execution_ids: _Optional[_Iterable[int]] = ..., join_token: _Optional[str] = ..., credential: _Optional[str] = ..., instance: _Optional[str] = ..., projects: _Optional[_Iterable[int]] = ..., run_as: _Optional[_Iterable[str]] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ("heartbeat_interval", "credential", "projects", "max_upload_bytes")
    HEARTBEAT_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    MAX_UPLOAD_BYTES_FIELD_NUMBER: _ClassVar[int]
    heartbeat_interval: _duration_pb2.Duration
    credential: str
    projects: _containers.RepeatedScalarFieldContainer[int]
    max_upload_bytes: int
    def __init__(self, heartbeat_interval: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., credential: _Optional[str] = ..., projects: _Optional[_Iterable[int]] = ..., max_upload_bytes: _Optional[int] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("running",)
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    running: int
    def __init__(self, running: _Optional[int] = ...) -> None: ...

class ExecutionStarted(_message.Message):
    __slots__ = ("execution_id", "pid", "started_at")
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    execution_id: int
    pid: int
    started_at: _timestamp_pb2.Timestamp
    def __init__(self, execution_id: _Optional[int] = ..., pid: _Optional[int] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OutputChunk(_message.Message):
    __slots__ = ("execution_id", "seq", "data", "stderr")
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    execution_id: int
    seq: int
    data: bytes
    stderr: bool
    def __init__(self, execution_id: _Optional[int] = ..., seq: _Optional[int] = ..., data: _Optional[bytes] = ..., stderr: _Optional[bool] = ...) -> None: ...

class ExecutionResult(_message.Message):
    __slots__ = ("execution_id", "status", "exit_code", "reason", "chunk_count", "started_at", "finished_at", "fetched", "pid")
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CHUNK_COUNT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    FETCHED_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    execution_id: int
    status: _common_pb2.ExecutionStatus
    exit_code: int
    reason: str
    chunk_count: int
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    fetched: Blob
    pid: int
    def __init__(self, execution_id: _Optional[int] = ..., status: _Optional[_Union[_common_pb2.ExecutionStatus, str]] = ..., exit_code: _Optional[int] = ..., reason: _Optional[str] = ..., chunk_count: _Optional[int] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., fetched: _Optional[_Union[Blob, _Mapping]] = ..., pid: _Optional[int] = ...) -> None: ...

class Blob(_message.Message):
    __slots__ = ("sha256", "size", "archive")
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_FIELD_NUMBER: _ClassVar[int]
    sha256: str
    size: int
    archive: bool
    def __init__(self, sha256: _Optional[str] = ..., size: _Optional[int] = ..., archive: _Optional[bool] = ...) -> None: ...

class CopyCommand(_message.Message):
    __slots__ = ("execution_id", "fetch", "place", "ssh", "timeout", "user", "project_id")
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    FETCH_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    SSH_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    execution_id: int
    fetch: FetchOrder
    place: PlaceOrder
    ssh: SshTarget
    timeout: _duration_pb2.Duration
    user: str
    project_id: int
    def __init__(self, execution_id: _Optional[int] = ..., fetch: _Optional[_Union[FetchOrder, _Mapping]] = ..., place: _Optional[_Union[PlaceOrder, _Mapping]] = ..., ssh: _Optional[_Union[SshTarget, _Mapping]] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., user: _Optional[str] = ..., project_id: _Optional[int] = ...) -> None: ...

class FetchOrder(_message.Message):
    __slots__ = ("path",)
    PATH_FIELD_NUMBER: _ClassVar[int]
    path: str
    def __init__(self, path: _Optional[str] = ...) -> None: ...

class PlaceOrder(_message.Message):
    __slots__ = ("blob", "path", "name", "chown", "chmod")
    BLOB_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CHOWN_FIELD_NUMBER: _ClassVar[int]
    CHMOD_FIELD_NUMBER: _ClassVar[int]
    blob: Blob
    path: str
    name: str
    chown: str
    chmod: str
    def __init__(self, blob: _Optional[_Union[Blob, _Mapping]] = ..., path: _Optional[str] = ..., name: _Optional[str] = ..., chown: _Optional[str] = ..., chmod: _Optional[str] = ...) -> None: ...

class RunCommand(_message.Message):
    __slots__ = ("execution_id", "script_type", "script", "args", "user", "timeout", "env", "ssh", "project_id")
    class EnvEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    SCRIPT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    SSH_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    execution_id: int
    script_type: _common_pb2.ScriptType
    script: str
    args: _containers.RepeatedScalarFieldContainer[str]
    user: str
    timeout: _duration_pb2.Duration
    env: _containers.ScalarMap[str, str]
    ssh: SshTarget
    project_id: int
    def __init__(self, execution_id: _Optional[int] = ..., script_type: _Optional[_Union[_common_pb2.ScriptType, str]] = ..., script: _Optional[str] = ..., args: _Optional[_Iterable[str]] = ..., user: _Optional[str] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., env: _Optional[_Mapping[str, str]] = ..., ssh: _Optional[_Union[SshTarget, _Mapping]] = ..., project_id: _Optional[int] = ...) -> None: ...

class SshTarget(_message.Message):
    __slots__ = ("node", "host", "port", "user", "private_key", "password", "private_key_passphrase", "host_key_policy", "connect_timeout")
    NODE_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_PASSPHRASE_FIELD_NUMBER: _ClassVar[int]
    HOST_KEY_POLICY_FIELD_NUMBER: _ClassVar[int]
    CONNECT_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    node: str
    host: str
    port: int
    user: str
    private_key: str
    password: str
    private_key_passphrase: str
    host_key_policy: HostKeyPolicy
    connect_timeout: _duration_pb2.Duration
    def __init__(self, node: _Optional[str] = ..., host: _Optional[str] = ..., port: _Optional[int] = ..., user: _Optional[str] = ..., private_key: _Optional[str] = ..., password: _Optional[str] = ..., private_key_passphrase: _Optional[str] = ..., host_key_policy: _Optional[_Union[HostKeyPolicy, str]] = ..., connect_timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class KillCommand(_message.Message):
    __slots__ = ("execution_id", "reason")
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    execution_id: int
    reason: str
    def __init__(self, execution_id: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class OutputAck(_message.Message):
    __slots__ = ("execution_id", "seqs")
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    SEQS_FIELD_NUMBER: _ClassVar[int]
    execution_id: int
    seqs: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, execution_id: _Optional[int] = ..., seqs: _Optional[_Iterable[int]] = ...) -> None: ...

class ResultAck(_message.Message):
    __slots__ = ("execution_id",)
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    execution_id: int
    def __init__(self, execution_id: _Optional[int] = ...) -> None: ...

class UploadBlobRequest(_message.Message):
    __slots__ = ("data", "archive", "execution_id", "last")
    DATA_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    archive: bool
    execution_id: int
    last: bool
    def __init__(self, data: _Optional[bytes] = ..., archive: _Optional[bool] = ..., execution_id: _Optional[int] = ..., last: _Optional[bool] = ...) -> None: ...

class UploadBlobResponse(_message.Message):
    __slots__ = ("blob",)
    BLOB_FIELD_NUMBER: _ClassVar[int]
    blob: Blob
    def __init__(self, blob: _Optional[_Union[Blob, _Mapping]] = ...) -> None: ...

class DownloadBlobRequest(_message.Message):
    __slots__ = ("sha256", "execution_id", "offset")
    SHA256_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    sha256: str
    execution_id: int
    offset: int
    def __init__(self, sha256: _Optional[str] = ..., execution_id: _Optional[int] = ..., offset: _Optional[int] = ...) -> None: ...

class DownloadBlobResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class TerminalOrder(_message.Message):
    __slots__ = ("session_id", "key", "project_id", "user", "ssh", "cols", "rows", "term")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    SSH_FIELD_NUMBER: _ClassVar[int]
    COLS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    TERM_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    key: str
    project_id: int
    user: str
    ssh: SshTarget
    cols: int
    rows: int
    term: str
    def __init__(self, session_id: _Optional[str] = ..., key: _Optional[str] = ..., project_id: _Optional[int] = ..., user: _Optional[str] = ..., ssh: _Optional[_Union[SshTarget, _Mapping]] = ..., cols: _Optional[int] = ..., rows: _Optional[int] = ..., term: _Optional[str] = ...) -> None: ...

class TerminalFromSlave(_message.Message):
    __slots__ = ("join", "started", "output", "line", "exit")
    JOIN_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    LINE_FIELD_NUMBER: _ClassVar[int]
    EXIT_FIELD_NUMBER: _ClassVar[int]
    join: TerminalJoin
    started: TerminalStarted
    output: bytes
    line: TerminalInputLine
    exit: TerminalExit
    def __init__(self, join: _Optional[_Union[TerminalJoin, _Mapping]] = ..., started: _Optional[_Union[TerminalStarted, _Mapping]] = ..., output: _Optional[bytes] = ..., line: _Optional[_Union[TerminalInputLine, _Mapping]] = ..., exit: _Optional[_Union[TerminalExit, _Mapping]] = ...) -> None: ...

class TerminalJoin(_message.Message):
    __slots__ = ("session_id", "key")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    key: str
    def __init__(self, session_id: _Optional[str] = ..., key: _Optional[str] = ...) -> None: ...

class TerminalStarted(_message.Message):
    __slots__ = ("pid",)
    PID_FIELD_NUMBER: _ClassVar[int]
    pid: int
    def __init__(self, pid: _Optional[int] = ...) -> None: ...

class TerminalInputLine(_message.Message):
    __slots__ = ("text", "hidden")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_FIELD_NUMBER: _ClassVar[int]
    text: str
    hidden: bool
    def __init__(self, text: _Optional[str] = ..., hidden: _Optional[bool] = ...) -> None: ...

class TerminalExit(_message.Message):
    __slots__ = ("exit_code", "reason")
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    exit_code: int
    reason: str
    def __init__(self, exit_code: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class TerminalToSlave(_message.Message):
    __slots__ = ("input", "resize")
    INPUT_FIELD_NUMBER: _ClassVar[int]
    RESIZE_FIELD_NUMBER: _ClassVar[int]
    input: bytes
    resize: TerminalWindow
    def __init__(self, input: _Optional[bytes] = ..., resize: _Optional[_Union[TerminalWindow, _Mapping]] = ...) -> None: ...

class TerminalWindow(_message.Message):
    __slots__ = ("cols", "rows")
    COLS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    cols: int
    rows: int
    def __init__(self, cols: _Optional[int] = ..., rows: _Optional[int] = ...) -> None: ...
