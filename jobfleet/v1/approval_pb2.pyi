import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from jobfleet.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Approval(_message.Message):
    __slots__ = ("uuid", "task_uuid", "step_uuid", "approver", "submitter", "name", "content", "everyone", "opinion", "remarks", "assist", "created_at", "answered_at", "deadline", "open", "project_id")
    UUID_FIELD_NUMBER: _ClassVar[int]
    TASK_UUID_FIELD_NUMBER: _ClassVar[int]
    STEP_UUID_FIELD_NUMBER: _ClassVar[int]
    APPROVER_FIELD_NUMBER: _ClassVar[int]
    SUBMITTER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    EVERYONE_FIELD_NUMBER: _ClassVar[int]
    OPINION_FIELD_NUMBER: _ClassVar[int]
    REMARKS_FIELD_NUMBER: _ClassVar[int]
    ASSIST_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    task_uuid: str
    step_uuid: str
    approver: str
    submitter: str
    name: str
    content: str
    everyone: bool
    opinion: str
    remarks: str
    assist: str
    created_at: _timestamp_pb2.Timestamp
    answered_at: _timestamp_pb2.Timestamp
    deadline: _timestamp_pb2.Timestamp
    open: bool
    project_id: int
    def __init__(self, uuid: _Optional[str] = ..., task_uuid: _Optional[str] = ..., step_uuid: _Optional[str] = ..., approver: _Optional[str] = ..., submitter: _Optional[str] = ..., name: _Optional[str] = ..., content: _Optional[str] = ..., everyone: _Optional[bool] = ..., opinion: _Optional[str] = ..., remarks: _Optional[str] = ..., assist: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., open: _Optional[bool] = ..., project_id: _Optional[int] = ...) -> None: ...

class SubmitApprovalRequest(_message.Message):
    __slots__ = ("project_id", "name", "submitter", "call_type", "step", "variables")
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
    CALL_TYPE_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    name: str
    submitter: str
    call_type: str
    step: _common_pb2.Step
    variables: _containers.ScalarMap[str, str]
    def __init__(self, project_id: _Optional[int] = ..., name: _Optional[str] = ..., submitter: _Optional[str] = ..., call_type: _Optional[str] = ..., step: _Optional[_Union[_common_pb2.Step, _Mapping]] = ..., variables: _Optional[_Mapping[str, str]] = ...) -> None: ...

class SubmitApprovalResponse(_message.Message):
    __slots__ = ("task",)
    TASK_FIELD_NUMBER: _ClassVar[int]
    task: _common_pb2.Task
    def __init__(self, task: _Optional[_Union[_common_pb2.Task, _Mapping]] = ...) -> None: ...

class ListApprovalsRequest(_message.Message):
    __slots__ = ("project_id", "limit")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    limit: int
    def __init__(self, project_id: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListApprovalsResponse(_message.Message):
    __slots__ = ("approvals",)
    APPROVALS_FIELD_NUMBER: _ClassVar[int]
    approvals: _containers.RepeatedCompositeFieldContainer[Approval]
    def __init__(self, approvals: _Optional[_Iterable[_Union[Approval, _Mapping]]] = ...) -> None: ...

class AnswerApprovalRequest(_message.Message):
    __slots__ = ("project_id", "uuid", "opinion", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    OPINION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    uuid: str
    opinion: str
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., uuid: _Optional[str] = ..., opinion: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class AnswerApprovalResponse(_message.Message):
    __slots__ = ("approval",)
    APPROVAL_FIELD_NUMBER: _ClassVar[int]
    approval: Approval
    def __init__(self, approval: _Optional[_Union[Approval, _Mapping]] = ...) -> None: ...

class PeekApprovalRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class PeekApprovalResponse(_message.Message):
    __slots__ = ("approval",)
    APPROVAL_FIELD_NUMBER: _ClassVar[int]
    approval: Approval
    def __init__(self, approval: _Optional[_Union[Approval, _Mapping]] = ...) -> None: ...

class AnswerByLinkRequest(_message.Message):
    __slots__ = ("token", "opinion", "uuid")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    OPINION_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    token: str
    opinion: str
    uuid: str
    def __init__(self, token: _Optional[str] = ..., opinion: _Optional[str] = ..., uuid: _Optional[str] = ...) -> None: ...
