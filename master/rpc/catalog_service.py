"""CatalogService: projects, slaves, and the project catalogue (jobs, scripts, nodes, groups,
accounts, job variables, the file server). Each method: request in, one call on the catalogue
(or the slaves) service, response out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from jobfleet.v1 import catalog_pb2 as pb
from jobfleet.v1 import catalog_pb2_grpc
from master.catalogue.filestore import FileStore
from master.catalogue.service import Catalogue
from master.rpc.context import CALLER, Context
from master.rpc.convert import catalog as convert_catalog
from master.rpc.convert.timestamps import from_unix, timestamp
from master.rpc.errors import streaming, unary
from master.rpc.file_service import upload_file
from master.slaves.service import Slaves
from master.slaves.sessions import SlaveSessions


class CatalogServicer(catalog_pb2_grpc.CatalogServiceServicer):
    def __init__(
        self, catalogue: Catalogue, slaves: Slaves, sessions: SlaveSessions, store: FileStore
    ) -> None:
        self.catalogue = catalogue
        self.slaves = slaves
        self.sessions = sessions
        """Which nodes are attached slaves (agent mode)."""
        self.store = store
        """The file store the file server's uploads are written to."""

    # --- projects and slaves

    @unary
    async def CreateProject(
        self, request: pb.CreateProjectRequest, context: Context
    ) -> pb.CreateProjectResponse:
        row = await self.catalogue.create_project(request.name, request.id)
        return pb.CreateProjectResponse(project=convert_catalog.project(row))

    @unary
    async def ListProjects(
        self, request: pb.ListProjectsRequest, context: Context
    ) -> pb.ListProjectsResponse:
        caller = CALLER.get()  # a project token sees its own project
        found = await self.catalogue.list_projects()
        listed = [r for r in found if caller.admin or r.id == caller.project_id]
        return pb.ListProjectsResponse(projects=[convert_catalog.project(r) for r in listed])

    @unary
    async def ListSlaves(
        self, request: pb.ListSlavesRequest, context: Context
    ) -> pb.ListSlavesResponse:
        caller = CALLER.get()  # a project token sees the slaves serving its project
        found = await self.slaves.listed(None if caller.admin else caller.project_id)
        return pb.ListSlavesResponse(slaves=[convert_catalog.slave_info(v) for v in found])

    # --- jobs

    @unary
    async def ListJobs(self, request: pb.ListJobsRequest, context: Context) -> pb.ListJobsResponse:
        found, total = await self.catalogue.list_jobs(
            request.project_id, convert_catalog.list_filter(request.filter), request.permanent_only
        )
        return pb.ListJobsResponse(jobs=[convert_catalog.job(j) for j in found], total=total)

    @unary
    async def GetJob(self, request: pb.GetJobRequest, context: Context) -> pb.GetJobResponse:
        job = await self.catalogue.get_job(
            request.project_id, request.uuid, request.name, request.id
        )
        return pb.GetJobResponse(job=convert_catalog.job(job))

    @unary
    async def CreateJob(
        self, request: pb.CreateJobRequest, context: Context
    ) -> pb.CreateJobResponse:
        job = await self.catalogue.save_job(
            request.project_id,
            request.name,
            request.permanent,
            convert_catalog.steps(request.steps),
            request.actor,
        )
        return pb.CreateJobResponse(job=convert_catalog.job(job))

    @unary
    async def UpdateJob(
        self, request: pb.UpdateJobRequest, context: Context
    ) -> pb.UpdateJobResponse:
        job = await self.catalogue.save_job(
            request.project_id,
            request.name,
            request.permanent,
            convert_catalog.steps(request.steps),
            request.actor,
            request.uuid,
        )
        return pb.UpdateJobResponse(job=convert_catalog.job(job))

    @unary
    async def DeleteJob(
        self, request: pb.DeleteJobRequest, context: Context
    ) -> pb.DeleteJobResponse:
        await self.catalogue.delete_job(request.project_id, request.uuid)
        return pb.DeleteJobResponse()

    # --- scripts

    @unary
    async def ListScripts(
        self, request: pb.ListScriptsRequest, context: Context
    ) -> pb.ListScriptsResponse:
        found, total = await self.catalogue.list_scripts(
            request.project_id, convert_catalog.list_filter(request.filter)
        )
        return pb.ListScriptsResponse(
            scripts=[convert_catalog.script(r) for r in found], total=total
        )

    @unary
    async def GetScript(
        self, request: pb.GetScriptRequest, context: Context
    ) -> pb.GetScriptResponse:
        row = await self.catalogue.get_script(request.project_id, request.id)
        return pb.GetScriptResponse(script=convert_catalog.script(row))

    @unary
    async def CreateScript(
        self, request: pb.CreateScriptRequest, context: Context
    ) -> pb.CreateScriptResponse:
        row = await self.catalogue.save_script(
            request.project_id,
            request.name,
            convert_catalog.script_type(request.type, "type"),
            request.content,
            request.actor,
        )
        return pb.CreateScriptResponse(script=convert_catalog.script(row))

    @unary
    async def UpdateScript(
        self, request: pb.UpdateScriptRequest, context: Context
    ) -> pb.UpdateScriptResponse:
        row = await self.catalogue.save_script(
            request.project_id,
            request.name,
            convert_catalog.script_type(request.type, "type"),
            request.content,
            request.actor,
            request.id,
        )
        return pb.UpdateScriptResponse(script=convert_catalog.script(row))

    @unary
    async def DeleteScript(
        self, request: pb.DeleteScriptRequest, context: Context
    ) -> pb.DeleteScriptResponse:
        await self.catalogue.delete_script(request.project_id, request.id)
        return pb.DeleteScriptResponse()

    # --- nodes

    @unary
    async def ListNodes(
        self, request: pb.ListNodesRequest, context: Context
    ) -> pb.ListNodesResponse:
        found, total = await self.catalogue.list_nodes(
            request.project_id, convert_catalog.list_filter(request.filter)
        )
        nodes = [convert_catalog.node(r, self.sessions.attached(r.name)) for r in found]
        return pb.ListNodesResponse(nodes=nodes, total=total)

    @unary
    async def CreateNode(
        self, request: pb.CreateNodeRequest, context: Context
    ) -> pb.CreateNodeResponse:
        row = await self.catalogue.create_node(
            request.project_id,
            request.name,
            request.inip,
            request.exip,
            request.ssh_port,
            request.slave,
            request.actor,
            request.cloud_id,
        )
        return pb.CreateNodeResponse(
            node=convert_catalog.node(row, self.sessions.attached(row.name))
        )

    @unary
    async def DeleteNode(
        self, request: pb.DeleteNodeRequest, context: Context
    ) -> pb.DeleteNodeResponse:
        await self.catalogue.delete_node(request.project_id, request.id)
        return pb.DeleteNodeResponse()

    @unary
    async def CheckNodes(
        self, request: pb.CheckNodesRequest, context: Context
    ) -> pb.CheckNodesResponse:
        known, unknown = await self.catalogue.check_nodes(request.project_id, list(request.nodes))
        return pb.CheckNodesResponse(known=known, unknown=unknown)

    # --- node groups

    @unary
    async def ListNodeGroups(
        self, request: pb.ListNodeGroupsRequest, context: Context
    ) -> pb.ListNodeGroupsResponse:
        found, total = await self.catalogue.list_groups(
            request.project_id, convert_catalog.list_filter(request.filter)
        )
        return pb.ListNodeGroupsResponse(
            groups=[convert_catalog.group(r) for r in found], total=total
        )

    @unary
    async def GetNodeGroup(
        self, request: pb.GetNodeGroupRequest, context: Context
    ) -> pb.GetNodeGroupResponse:
        row = await self.catalogue.get_group(request.project_id, request.id)
        return pb.GetNodeGroupResponse(group=convert_catalog.group(row))

    @unary
    async def CreateNodeGroup(
        self, request: pb.CreateNodeGroupRequest, context: Context
    ) -> pb.CreateNodeGroupResponse:
        row = await self.catalogue.save_group(
            request.project_id,
            request.name,
            request.plugin,
            request.params,
            request.actor,
        )
        return pb.CreateNodeGroupResponse(group=convert_catalog.group(row))

    @unary
    async def UpdateNodeGroup(
        self, request: pb.UpdateNodeGroupRequest, context: Context
    ) -> pb.UpdateNodeGroupResponse:
        row = await self.catalogue.save_group(
            request.project_id,
            request.name,
            request.plugin,
            request.params,
            request.actor,
            request.id,
        )
        return pb.UpdateNodeGroupResponse(group=convert_catalog.group(row))

    @unary
    async def DeleteNodeGroup(
        self, request: pb.DeleteNodeGroupRequest, context: Context
    ) -> pb.DeleteNodeGroupResponse:
        await self.catalogue.delete_group(request.project_id, request.id)
        return pb.DeleteNodeGroupResponse()

    @unary
    async def ResolveNodeGroup(
        self, request: pb.ResolveNodeGroupRequest, context: Context
    ) -> pb.ResolveNodeGroupResponse:
        nodes = await self.catalogue.resolve_group(request.project_id, request.id)
        return pb.ResolveNodeGroupResponse(nodes=nodes)

    # --- accounts

    @unary
    async def ListAccounts(
        self, request: pb.ListAccountsRequest, context: Context
    ) -> pb.ListAccountsResponse:
        found, total = await self.catalogue.list_accounts(
            request.project_id, convert_catalog.list_filter(request.filter)
        )
        return pb.ListAccountsResponse(
            accounts=[convert_catalog.account(r) for r in found], total=total
        )

    @unary
    async def CreateAccount(
        self, request: pb.CreateAccountRequest, context: Context
    ) -> pb.CreateAccountResponse:
        row = await self.catalogue.create_account(
            request.project_id,
            request.username,
            request.private_key,
            request.password,
            request.actor,
        )
        return pb.CreateAccountResponse(account=convert_catalog.account(row))

    @unary
    async def DeleteAccount(
        self, request: pb.DeleteAccountRequest, context: Context
    ) -> pb.DeleteAccountResponse:
        await self.catalogue.delete_account(request.project_id, request.id)
        return pb.DeleteAccountResponse()

    # --- job variables

    @unary
    async def ListVariables(
        self, request: pb.ListVariablesRequest, context: Context
    ) -> pb.ListVariablesResponse:
        job_uuid, found = await self.catalogue.list_variables(
            request.project_id,
            request.job_uuid,
            request.job_name,
            request.empty_only,
            list(request.exclude),
            request.env,
        )
        return pb.ListVariablesResponse(
            variables=[convert_catalog.variable(v, job_uuid) for v in found]
        )

    @unary
    async def SaveVariable(
        self, request: pb.SaveVariableRequest, context: Context
    ) -> pb.SaveVariableResponse:
        row = await self.catalogue.save_variable(
            request.project_id,
            request.job_uuid,
            convert_catalog.variable_input(request),
            request.id,
        )
        return pb.SaveVariableResponse(variable=convert_catalog.variable(row, request.job_uuid))

    @unary
    async def SaveVariables(
        self, request: pb.SaveVariablesRequest, context: Context
    ) -> pb.SaveVariablesResponse:
        items = [convert_catalog.variable_input(v) for v in request.variables]
        saved = await self.catalogue.save_variables(request.project_id, request.job_uuid, items)
        return pb.SaveVariablesResponse(
            variables=[convert_catalog.variable(v, request.job_uuid) for v in saved]
        )

    @unary
    async def DeleteVariable(
        self, request: pb.DeleteVariableRequest, context: Context
    ) -> pb.DeleteVariableResponse:
        await self.catalogue.delete_variable(
            request.project_id, request.job_uuid, request.name, request.job_id
        )
        return pb.DeleteVariableResponse()

    # --- the file server

    @unary
    async def ListFiles(
        self, request: pb.ListFilesRequest, context: Context
    ) -> pb.ListFilesResponse:
        found, total = await self.catalogue.list_files(
            request.project_id, convert_catalog.list_filter(request.filter)
        )
        return pb.ListFilesResponse(
            files=[convert_catalog.stored_file(r) for r in found], total=total
        )

    @unary
    async def UploadFile(
        self, request_iterator: AsyncIterator[pb.UploadFileRequest], context: Context
    ) -> pb.UploadFileResponse:
        first, sha256, size = await upload_file(self.store, checked_upload(self, request_iterator))
        row = await self.catalogue.save_file(
            first.project_id, first.name, sha256, size, first.actor
        )
        return pb.UploadFileResponse(file=convert_catalog.stored_file(row))

    @unary
    async def DeleteFile(
        self, request: pb.DeleteFileRequest, context: Context
    ) -> pb.DeleteFileResponse:
        await self.catalogue.delete_file(request.project_id, request.id)
        return pb.DeleteFileResponse()

    # --- a job's monitor settings; links

    @unary
    async def SetJobMonitor(
        self, request: pb.SetJobMonitorRequest, context: Context
    ) -> pb.SetJobMonitorResponse:
        job = await self.catalogue.set_job_monitor(
            request.project_id, request.uuid, request.mon_ids, request.mon_status, request.actor
        )
        return pb.SetJobMonitorResponse(job=convert_catalog.job(job))

    @unary
    async def LinkVariable(
        self, request: pb.LinkVariableRequest, context: Context
    ) -> pb.LinkVariableResponse:
        key = await self.catalogue.link_variable(request.project_id, request.job_uuid, request.name)
        return pb.LinkVariableResponse(key=key)

    @unary
    async def LinkFile(self, request: pb.LinkFileRequest, context: Context) -> pb.LinkFileResponse:
        row, key, expires = await self.catalogue.link_file(request.project_id, request.name)
        return pb.LinkFileResponse(
            file=convert_catalog.stored_file(row),
            key=key,
            expires=timestamp(from_unix(expires, "expires")),
        )

    @streaming
    async def DownloadFile(
        self, request: pb.DownloadFileRequest, context: Context
    ) -> AsyncIterator[pb.DownloadFileResponse]:
        row = await self.catalogue.downloadable(request.project_id, request.key)
        yield pb.DownloadFileResponse(file=convert_catalog.stored_file(row))
        chunks = self.store.read(row.sha256)
        while chunk := await asyncio.to_thread(next, chunks, b""):
            yield pb.DownloadFileResponse(data=chunk)


async def checked_upload(
    servicer: CatalogServicer, requests: AsyncIterator[pb.UploadFileRequest]
) -> AsyncIterator[pb.UploadFileRequest]:
    """The upload stream, its first message (project, name) checked before any byte is kept."""
    first = True
    async for msg in requests:
        if first:
            await servicer.catalogue.check_upload(msg.project_id, msg.name)
            first = False
        yield msg
