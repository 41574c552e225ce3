import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from jobfleet.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Project(_message.Message):
    __slots__ = ("id", "name")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    id: int
    name: str
    def __init__(self, id: _Optional[int] = ..., name: _Optional[str] = ...) -> None: ...

class CreateProjectRequest(_message.Message):
    __slots__ = ("name", "id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    id: int
    def __init__(self, name: _Optional[str] = ..., id: _Optional[int] = ...) -> None: ...

class CreateProjectResponse(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: Project
    def __init__(self, project: _Optional[_Union[Project, _Mapping]] = ...) -> None: ...

class ListProjectsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListProjectsResponse(_message.Message):
    __slots__ = ("projects",)
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    projects: _containers.RepeatedCompositeFieldContainer[Project]
    def __init__(self, projects: _Optional[_Iterable[_Union[Project, _Mapping]]] = ...) -> None: ...

class SlaveInfo(_message.Message):
    __slots__ = ("name", "hostname", "addresses", "version", "attached", "last_seen", "running", "projects", "run_as")
    NAME_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ATTACHED_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    RUN_AS_FIELD_NUMBER: _ClassVar[int]
    name: str
    hostname: str
    addresses: _containers.RepeatedScalarFieldContainer[str]
    version: str
    attached: bool
    last_seen: _timestamp_pb2.Timestamp
    running: int
    projects: _containers.RepeatedScalarFieldContainer[int]
    run_as: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., hostname: _Optional[str] = ..., addresses: _Optional[_Iterable[str]] = ..., version: _Optional[str] = ..., attached: _Optional[bool] = ..., last_seen: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., running: _Optional[int] = ..., projects: _Optional[_Iterable[int]] = ..., run_as: _Optional[_Iterable[str]] = ...) -> None: ...

class ListSlavesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListSlavesResponse(_message.Message):
    __slots__ = ("slaves",)
    SLAVES_FIELD_NUMBER: _ClassVar[int]
    slaves: _containers.RepeatedCompositeFieldContainer[SlaveInfo]
    def __init__(self, slaves: _Optional[_Iterable[_Union[SlaveInfo, _Mapping]]] = ...) -> None: ...

class Audit(_message.Message):
    __slots__ = ("create_user", "create_time", "edit_user", "edit_time")
    CREATE_USER_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EDIT_USER_FIELD_NUMBER: _ClassVar[int]
    EDIT_TIME_FIELD_NUMBER: _ClassVar[int]
    create_user: str
    create_time: _timestamp_pb2.Timestamp
    edit_user: str
    edit_time: _timestamp_pb2.Timestamp
    def __init__(self, create_user: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., edit_user: _Optional[str] = ..., edit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListFilter(_message.Message):
    __slots__ = ("name_contains", "create_user", "edit_user", "create_time_start", "create_time_end", "edit_time_start", "edit_time_end", "job_name_contains", "plugin", "inip_contains", "exip_contains", "limit", "offset")
    NAME_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    CREATE_USER_FIELD_NUMBER: _ClassVar[int]
    EDIT_USER_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_START_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_END_FIELD_NUMBER: _ClassVar[int]
    EDIT_TIME_START_FIELD_NUMBER: _ClassVar[int]
    EDIT_TIME_END_FIELD_NUMBER: _ClassVar[int]
    JOB_NAME_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    INIP_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    EXIP_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    name_contains: str
    create_user: str
    edit_user: str
    create_time_start: int
    create_time_end: int
    edit_time_start: int
    edit_time_end: int
    job_name_contains: str
    plugin: str
    inip_contains: str
    exip_contains: str
    limit: int
    offset: int
    def __init__(self, name_contains: _Optional[str] = ..., create_user: _Optional[str] = ..., edit_user: _Optional[str] = ..., create_time_start: _Optional[int] = ..., create_time_end: _Optional[int] = ..., edit_time_start: _Optional[int] = ..., edit_time_end: _Optional[int] = ..., job_name_contains: _Optional[str] = ..., plugin: _Optional[str] = ..., inip_contains: _Optional[str] = ..., exip_contains: _Optional[str] = ..., limit: _Optional[int] = ..., offset: _Optional[int] = ...) -> None: ...

class Job(_message.Message):
    __slots__ = ("id", "project_id", "uuid", "name", "permanent", "steps", "audit", "mon_ids", "mon_status", "needs_variables")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    MON_IDS_FIELD_NUMBER: _ClassVar[int]
    MON_STATUS_FIELD_NUMBER: _ClassVar[int]
    NEEDS_VARIABLES_FIELD_NUMBER: _ClassVar[int]
    id: int
    project_id: int
    uuid: str
    name: str
    permanent: bool
    steps: _containers.RepeatedCompositeFieldContainer[_common_pb2.Step]
    audit: Audit
    mon_ids: str
    mon_status: bool
    needs_variables: bool
    def __init__(self, id: _Optional[int] = ..., project_id: _Optional[int] = ..., uuid: _Optional[str] = ..., name: _Optional[str] = ..., permanent: _Optional[bool] = ..., steps: _Optional[_Iterable[_Union[_common_pb2.Step, _Mapping]]] = ..., audit: _Optional[_Union[Audit, _Mapping]] = ..., mon_ids: _Optional[str] = ..., mon_status: _Optional[bool] = ..., needs_variables: _Optional[bool] = ...) -> None: ...

class ListJobsRequest(_message.Message):
    __slots__ = ("project_id", "filter", "permanent_only")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_ONLY_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    filter: ListFilter
    permanent_only: bool
    def __init__(self, project_id: _Optional[int] = ..., filter: _Optional[_Union[ListFilter, _Mapping]] = ..., permanent_only: _Optional[bool] = ...) -> None: ...

class ListJobsResponse(_message.Message):
    __slots__ = ("jobs", "total")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[Job]
    total: int
    def __init__(self, jobs: _Optional[_Iterable[_Union[Job, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class GetJobRequest(_message.Message):
    __slots__ = ("project_id", "uuid", "name", "id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    uuid: str
    name: str
    id: int
    def __init__(self, project_id: _Optional[int] = ..., uuid: _Optional[str] = ..., name: _Optional[str] = ..., id: _Optional[int] = ...) -> None: ...

class GetJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: Job
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...

class CreateJobRequest(_message.Message):
    __slots__ = ("project_id", "name", "permanent", "steps", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    name: str
    permanent: bool
    steps: _containers.RepeatedCompositeFieldContainer[_common_pb2.Step]
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., name: _Optional[str] = ..., permanent: _Optional[bool] = ..., steps: _Optional[_Iterable[_Union[_common_pb2.Step, _Mapping]]] = ..., actor: _Optional[str] = ...) -> None: ...

class CreateJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: Job
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...

class UpdateJobRequest(_message.Message):
    __slots__ = ("project_id", "uuid", "name", "permanent", "steps", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    uuid: str
    name: str
    permanent: bool
    steps: _containers.RepeatedCompositeFieldContainer[_common_pb2.Step]
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., uuid: _Optional[str] = ..., name: _Optional[str] = ..., permanent: _Optional[bool] = ..., steps: _Optional[_Iterable[_Union[_common_pb2.Step, _Mapping]]] = ..., actor: _Optional[str] = ...) -> None: ...

class UpdateJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: Job
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...

class DeleteJobRequest(_message.Message):
    __slots__ = ("project_id", "uuid")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    uuid: str
    def __init__(self, project_id: _Optional[int] = ..., uuid: _Optional[str] = ...) -> None: ...

class DeleteJobResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Script(_message.Message):
    __slots__ = ("id", "project_id", "name", "type", "content", "audit")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    id: int
    project_id: int
    name: str
    type: _common_pb2.ScriptType
    content: str
    audit: Audit
    def __init__(self, id: _Optional[int] = ..., project_id: _Optional[int] = ..., name: _Optional[str] = ..., type: _Optional[_Union[_common_pb2.ScriptType, str]] = ..., content: _Optional[str] = ..., audit: _Optional[_Union[Audit, _Mapping]] = ...) -> None: ...

class ListScriptsRequest(_message.Message):
    __slots__ = ("project_id", "filter")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    filter: ListFilter
    def __init__(self, project_id: _Optional[int] = ..., filter: _Optional[_Union[ListFilter, _Mapping]] = ...) -> None: ...

class ListScriptsResponse(_message.Message):
    __slots__ = ("scripts", "total")
    SCRIPTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    scripts: _containers.RepeatedCompositeFieldContainer[Script]
    total: int
    def __init__(self, scripts: _Optional[_Iterable[_Union[Script, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class GetScriptRequest(_message.Message):
    __slots__ = ("project_id", "id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ...) -> None: ...

class GetScriptResponse(_message.Message):
    __slots__ = ("script",)
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    script: Script
    def __init__(self, script: _Optional[_Union[Script, _Mapping]] = ...) -> None: ...

class CreateScriptRequest(_message.Message):
    __slots__ = ("project_id", "name", "type", "content", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    name: str
    type: _common_pb2.ScriptType
    content: str
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., name: _Optional[str] = ..., type: _Optional[_Union[_common_pb2.ScriptType, str]] = ..., content: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class CreateScriptResponse(_message.Message):
    __slots__ = ("script",)
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    script: Script
    def __init__(self, script: _Optional[_Union[Script, _Mapping]] = ...) -> None: ...

class UpdateScriptRequest(_message.Message):
    __slots__ = ("project_id", "id", "name", "type", "content", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    name: str
    type: _common_pb2.ScriptType
    content: str
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ..., name: _Optional[str] = ..., type: _Optional[_Union[_common_pb2.ScriptType, str]] = ..., content: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class UpdateScriptResponse(_message.Message):
    __slots__ = ("script",)
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    script: Script
    def __init__(self, script: _Optional[_Union[Script, _Mapping]] = ...) -> None: ...

class DeleteScriptRequest(_message.Message):
    __slots__ = ("project_id", "id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ...) -> None: ...

class DeleteScriptResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Node(_message.Message):
    __slots__ = ("id", "project_id", "name", "inip", "exip", "ssh_port", "slave", "audit", "agent", "cloud_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    INIP_FIELD_NUMBER: _ClassVar[int]
    EXIP_FIELD_NUMBER: _ClassVar[int]
    SSH_PORT_FIELD_NUMBER: _ClassVar[int]
    SLAVE_FIELD_NUMBER: _ClassVar[int]
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    CLOUD_ID_FIELD_NUMBER: _ClassVar[int]
    id: int
    project_id: int
    name: str
    inip: str
    exip: str
    ssh_port: int
    slave: str
    audit: Audit
    agent: bool
    cloud_id: int
    def __init__(self, id: _Optional[int] = ..., project_id: _Optional[int] = ..., name: _Optional[str] = ..., inip: _Optional[str] = ..., exip: _Optional[str] = ..., ssh_port: _Optional[int] = ..., slave: _Optional[str] = ..., audit: _Optional[_Union[Audit, _Mapping]] = ..., agent: _Optional[bool] = ..., cloud_id: _Optional[int] = ...) -> None: ...

class ListNodesRequest(_message.Message):
    __slots__ = ("project_id", "filter")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    filter: ListFilter
    def __init__(self, project_id: _Optional[int] = ..., filter: _Optional[_Union[ListFilter, _Mapping]] = ...) -> None: ...

class ListNodesResponse(_message.Message):
    __slots__ = ("nodes", "total")
    NODES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[Node]
    total: int
    def __init__(self, nodes: _Optional[_Iterable[_Union[Node, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class CreateNodeRequest(_message.Message):
    __slots__ = ("project_id", "name", "inip", "exip", "ssh_port", "slave", "actor", "cloud_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    INIP_FIELD_NUMBER: _ClassVar[int]
    EXIP_FIELD_NUMBER: _ClassVar[int]
    SSH_PORT_FIELD_NUMBER: _ClassVar[int]
    SLAVE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CLOUD_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    name: str
    inip: str
    exip: str
    ssh_port: int
    slave: str
    actor: str
    cloud_id: int
    def __init__(self, project_id: _Optional[int] = ..., name: _Optional[str] = ..., inip: _Optional[str] = ..., exip: _Optional[str] = ..., ssh_port: _Optional[int] = ..., slave: _Optional[str] = ..., actor: _Optional[str] = ..., cloud_id: _Optional[int] = ...) -> None: ...

class CreateNodeResponse(_message.Message):
    __slots__ = ("node",)
    NODE_FIELD_NUMBER: _ClassVar[int]
    node: Node
    def __init__(self, node: _Optional[_Union[Node, _Mapping]] = ...) -> None: ...

class DeleteNodeRequest(_message.Message):
    __slots__ = ("project_id", "id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ...) -> None: ...

class DeleteNodeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CheckNodesRequest(_message.Message):
    __slots__ = ("project_id", "nodes")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    nodes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, project_id: _Optional[int] = ..., nodes: _Optional[_Iterable[str]] = ...) -> None: ...

class CheckNodesResponse(_message.Message):
    __slots__ = ("known", "unknown")
    KNOWN_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_FIELD_NUMBER: _ClassVar[int]
    known: _containers.RepeatedScalarFieldContainer[str]
    unknown: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, known: _Optional[_Iterable[str]] = ..., unknown: _Optional[_Iterable[str]] = ...) -> None: ...

class NodeGroup(_message.Message):
    __slots__ = ("id", "project_id", "name", "plugin", "params", "audit")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    id: int
    project_id: int
    name: str
    plugin: str
    params: str
    audit: Audit
    def __init__(self, id: _Optional[int] = ..., project_id: _Optional[int] = ..., name: _Optional[str] = ..., plugin: _Optional[str] = ..., params: _Optional[str] = ..., audit: _Optional[_Union[Audit, _Mapping]] = ...) -> None: ...

class ListNodeGroupsRequest(_message.Message):
    __slots__ = ("project_id", "filter")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    filter: ListFilter
    def __init__(self, project_id: _Optional[int] = ..., filter: _Optional[_Union[ListFilter, _Mapping]] = ...) -> None: ...

class ListNodeGroupsResponse(_message.Message):
    __slots__ = ("groups", "total")
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[NodeGroup]
    total: int
    def __init__(self, groups: _Optional[_Iterable[_Union[NodeGroup, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class GetNodeGroupRequest(_message.Message):
    __slots__ = ("project_id", "id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ...) -> None: ...

class GetNodeGroupResponse(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: NodeGroup
    def __init__(self, group: _Optional[_Union[NodeGroup, _Mapping]] = ...) -> None: ...

class CreateNodeGroupRequest(_message.Message):
    __slots__ = ("project_id", "name", "plugin", "params", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    name: str
    plugin: str
    params: str
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., name: _Optional[str] = ..., plugin: _Optional[str] = ..., params: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class CreateNodeGroupResponse(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: NodeGroup
    def __init__(self, group: _Optional[_Union[NodeGroup, _Mapping]] = ...) -> None: ...

class UpdateNodeGroupRequest(_message.Message):
    __slots__ = ("project_id", "id", "name", "plugin", "params", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLUGIN_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    name: str
    plugin: str
    params: str
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ..., name: _Optional[str] = ..., plugin: _Optional[str] = ..., params: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class UpdateNodeGroupResponse(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: NodeGroup
    def __init__(self, group: _Optional[_Union[NodeGroup, _Mapping]] = ...) -> None: ...

class DeleteNodeGroupRequest(_message.Message):
    __slots__ = ("project_id", "id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ...) -> None: ...

class DeleteNodeGroupResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ResolveNodeGroupRequest(_message.Message):
    __slots__ = ("project_id", "id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ...) -> None: ...

class ResolveNodeGroupResponse(_message.Message):
    __slots__ = ("nodes",)
    NODES_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, nodes: _Optional[_Iterable[str]] = ...) -> None: ...

class Account(_message.Message):
    __slots__ = ("id", "project_id", "username", "has_private_key", "has_password", "audit")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    HAS_PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    HAS_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    id: int
    project_id: int
    username: str
    has_private_key: bool
    has_password: bool
    audit: Audit
    def __init__(self, id: _Optional[int] = ..., project_id: _Optional[int] = ..., username: _Optional[str] = ..., has_private_key: _Optional[bool] = ..., has_password: _Optional[bool] = ..., audit: _Optional[_Union[Audit, _Mapping]] = ...) -> None: ...

class ListAccountsRequest(_message.Message):
    __slots__ = ("project_id", "filter")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    filter: ListFilter
    def __init__(self, project_id: _Optional[int] = ..., filter: _Optional[_Union[ListFilter, _Mapping]] = ...) -> None: ...

class ListAccountsResponse(_message.Message):
    __slots__ = ("accounts", "total")
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    accounts: _containers.RepeatedCompositeFieldContainer[Account]
    total: int
    def __init__(self, accounts: _Optional[_Iterable[_Union[Account, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class CreateAccountRequest(_message.Message):
    __slots__ = ("project_id", "username", "private_key", "password", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    username: str
    private_key: str
    password: str
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., username: _Optional[str] = ..., private_key: _Optional[str] = ..., password: _Optional[str] = ..., actor: _Optional[str] = ...) -> None: ...

class CreateAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: Account
    def __init__(self, account: _Optional[_Union[Account, _Mapping]] = ...) -> None: ...

class DeleteAccountRequest(_message.Message):
    __slots__ = ("project_id", "id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ...) -> None: ...

class DeleteAccountResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Variable(_message.Message):
    __slots__ = ("id", "job_uuid", "name", "value", "describe", "option", "env")
    ID_FIELD_NUMBER: _ClassVar[int]
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    DESCRIBE_FIELD_NUMBER: _ClassVar[int]
    OPTION_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    id: int
    job_uuid: str
    name: str
    value: str
    describe: str
    option: str
    env: str
    def __init__(self, id: _Optional[int] = ..., job_uuid: _Optional[str] = ..., name: _Optional[str] = ..., value: _Optional[str] = ..., describe: _Optional[str] = ..., option: _Optional[str] = ..., env: _Optional[str] = ...) -> None: ...

class ListVariablesRequest(_message.Message):
    __slots__ = ("project_id", "job_uuid", "job_name", "empty_only", "exclude", "env")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    JOB_NAME_FIELD_NUMBER: _ClassVar[int]
    EMPTY_ONLY_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    job_uuid: str
    job_name: str
    empty_only: bool
    exclude: _containers.RepeatedScalarFieldContainer[str]
    env: str
    def __init__(self, project_id: _Optional[int] = ..., job_uuid: _Optional[str] = ..., job_name: _Optional[str] = ..., empty_only: _Optional[bool] = ..., exclude: _Optional[_Iterable[str]] = ..., env: _Optional[str] = ...) -> None: ...

class ListVariablesResponse(_message.Message):
    __slots__ = ("variables",)
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    variables: _containers.RepeatedCompositeFieldContainer[Variable]
    def __init__(self, variables: _Optional[_Iterable[_Union[Variable, _Mapping]]] = ...) -> None: ...

class SaveVariableRequest(_message.Message):
    __slots__ = ("project_id", "job_uuid", "id", "name", "value", "describe", "option")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    DESCRIBE_FIELD_NUMBER: _ClassVar[int]
    OPTION_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    job_uuid: str
    id: int
    name: str
    value: str
    describe: str
    option: str
    def __init__(self, project_id: _Optional[int] = ..., job_uuid: _Optional[str] = ..., id: _Optional[int] = ..., name: _Optional[str] = ..., value: _Optional[str] = ..., describe: _Optional[str] = ..., option: _Optional[str] = ...) -> None: ...

class SaveVariableResponse(_message.Message):
    __slots__ = ("variable",)
    VARIABLE_FIELD_NUMBER: _ClassVar[int]
    variable: Variable
    def __init__(self, variable: _Optional[_Union[Variable, _Mapping]] = ...) -> None: ...

class SaveVariablesRequest(_message.Message):
    __slots__ = ("project_id", "job_uuid", "variables")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    job_uuid: str
    variables: _containers.RepeatedCompositeFieldContainer[Variable]
    def __init__(self, project_id: _Optional[int] = ..., job_uuid: _Optional[str] = ..., variables: _Optional[_Iterable[_Union[Variable, _Mapping]]] = ...) -> None: ...

class SaveVariablesResponse(_message.Message):
    __slots__ = ("variables",)
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    variables: _containers.RepeatedCompositeFieldContainer[Variable]
    def __init__(self, variables: _Optional[_Iterable[_Union[Variable, _Mapping]]] = ...) -> None: ...

class DeleteVariableRequest(_message.Message):
    __slots__ = ("project_id", "job_uuid", "name", "job_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    job_uuid: str
    name: str
    job_id: int
    def __init__(self, project_id: _Optional[int] = ..., job_uuid: _Optional[str] = ..., name: _Optional[str] = ..., job_id: _Optional[int] = ...) -> None: ...

class DeleteVariableResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StoredFile(_message.Message):
    __slots__ = ("id", "project_id", "name", "size", "sha256", "audit")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    id: int
    project_id: int
    name: str
    size: int
    sha256: str
    audit: Audit
    def __init__(self, id: _Optional[int] = ..., project_id: _Optional[int] = ..., name: _Optional[str] = ..., size: _Optional[int] = ..., sha256: _Optional[str] = ..., audit: _Optional[_Union[Audit, _Mapping]] = ...) -> None: ...

class ListFilesRequest(_message.Message):
    __slots__ = ("project_id", "filter")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    filter: ListFilter
    def __init__(self, project_id: _Optional[int] = ..., filter: _Optional[_Union[ListFilter, _Mapping]] = ...) -> None: ...

class ListFilesResponse(_message.Message):
    __slots__ = ("files", "total")
    FILES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[StoredFile]
    total: int
    def __init__(self, files: _Optional[_Iterable[_Union[StoredFile, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class UploadFileRequest(_message.Message):
    __slots__ = ("project_id", "name", "actor", "data", "last")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    name: str
    actor: str
    data: bytes
    last: bool
    def __init__(self, project_id: _Optional[int] = ..., name: _Optional[str] = ..., actor: _Optional[str] = ..., data: _Optional[bytes] = ..., last: _Optional[bool] = ...) -> None: ...

class UploadFileResponse(_message.Message):
    __slots__ = ("file",)
    FILE_FIELD_NUMBER: _ClassVar[int]
    file: StoredFile
    def __init__(self, file: _Optional[_Union[StoredFile, _Mapping]] = ...) -> None: ...

class DeleteFileRequest(_message.Message):
    __slots__ = ("project_id", "id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    id: int
    def __init__(self, project_id: _Optional[int] = ..., id: _Optional[int] = ...) -> None: ...

class DeleteFileResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetJobMonitorRequest(_message.Message):
    __slots__ = ("project_id", "uuid", "mon_ids", "mon_status", "actor")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    MON_IDS_FIELD_NUMBER: _ClassVar[int]
    MON_STATUS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    uuid: str
    mon_ids: str
    mon_status: bool
    actor: str
    def __init__(self, project_id: _Optional[int] = ..., uuid: _Optional[str] = ..., mon_ids: _Optional[str] = ..., mon_status: _Optional[bool] = ..., actor: _Optional[str] = ...) -> None: ...

class SetJobMonitorResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: Job
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...

class LinkVariableRequest(_message.Message):
    __slots__ = ("project_id", "job_uuid", "name")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    job_uuid: str
    name: str
    def __init__(self, project_id: _Optional[int] = ..., job_uuid: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class LinkVariableResponse(_message.Message):
    __slots__ = ("key",)
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: str
    def __init__(self, key: _Optional[str] = ...) -> None: ...

class LinkFileRequest(_message.Message):
    __slots__ = ("project_id", "name")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    name: str
    def __init__(self, project_id: _Optional[int] = ..., name: _Optional[str] = ...) -> None: ...

class LinkFileResponse(_message.Message):
    __slots__ = ("file", "key", "expires")
    FILE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_FIELD_NUMBER: _ClassVar[int]
    file: StoredFile
    key: str
    expires: _timestamp_pb2.Timestamp
    def __init__(self, file: _Optional[_Union[StoredFile, _Mapping]] = ..., key: _Optional[str] = ..., expires: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DownloadFileRequest(_message.Message):
    __slots__ = ("project_id", "key")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    project_id: int
    key: str
    def __init__(self, project_id: _Optional[int] = ..., key: _Optional[str] = ...) -> None: ...

class DownloadFileResponse(_message.Message):
    __slots__ = ("file", "data")
    FILE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    file: StoredFile
    data: bytes
    def __init__(self, file: _Optional[_Union[StoredFile, _Mapping]] = ..., data: _Optional[bytes] = ...) -> None: ...
