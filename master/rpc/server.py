"""The master's gRPC server: its options, the auth interceptor, and every service added to it
(with health, all SERVING, and reflection)."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from jobfleet.v1 import (
    approval_pb2,
    approval_pb2_grpc,
    auth_pb2,
    auth_pb2_grpc,
    catalog_pb2,
    catalog_pb2_grpc,
    cluster_pb2,
    cluster_pb2_grpc,
    crontab_pb2,
    crontab_pb2_grpc,
    notify_pb2,
    notify_pb2_grpc,
    report_pb2,
    report_pb2_grpc,
    slave_pb2,
    slave_pb2_grpc,
    task_pb2,
    task_pb2_grpc,
    terminal_pb2,
    terminal_pb2_grpc,
    vv_pb2,
    vv_pb2_grpc,
)
from master.rpc.approval_service import ApprovalLinkServicer, ApprovalServicer
from master.rpc.auth import Authenticator
from master.rpc.catalog_service import CatalogServicer
from master.rpc.crontab_service import CrontabServicer
from master.rpc.file_service import FileServicer
from master.rpc.interceptor import AuthInterceptor
from master.rpc.master_service import MasterServicer
from master.rpc.notify_service import NotifyServicer
from master.rpc.report_service import ReportServicer
from master.rpc.slave_link import SlaveLinkServicer
from master.rpc.slave_terminal import SlaveTerminalServicer
from master.rpc.task_service import TaskServicer
from master.rpc.terminal_service import TerminalServicer
from master.rpc.token_service import TokenServicer
from master.rpc.vv_service import VersionServicer

SERVICES = [
    slave_pb2.DESCRIPTOR.services_by_name["SlaveLink"].full_name,
    task_pb2.DESCRIPTOR.services_by_name["TaskService"].full_name,
    catalog_pb2.DESCRIPTOR.services_by_name["CatalogService"].full_name,
    slave_pb2.DESCRIPTOR.services_by_name["FileService"].full_name,
    crontab_pb2.DESCRIPTOR.services_by_name["CrontabService"].full_name,
    auth_pb2.DESCRIPTOR.services_by_name["TokenService"].full_name,
    vv_pb2.DESCRIPTOR.services_by_name["VersionService"].full_name,
    approval_pb2.DESCRIPTOR.services_by_name["ApprovalService"].full_name,
    approval_pb2.DESCRIPTOR.services_by_name["ApprovalLinkService"].full_name,
    report_pb2.DESCRIPTOR.services_by_name["ReportService"].full_name,
    notify_pb2.DESCRIPTOR.services_by_name["NotifyService"].full_name,
    terminal_pb2.DESCRIPTOR.services_by_name["TerminalService"].full_name,
    slave_pb2.DESCRIPTOR.services_by_name["SlaveTerminal"].full_name,
    cluster_pb2.DESCRIPTOR.services_by_name["MasterService"].full_name,
]
SERVER_OPTIONS = [
    ("grpc.so_reuseport", 0),
    ("grpc.keepalive_time_ms", 10_000),
    ("grpc.keepalive_timeout_ms", 5_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", 5_000),
    ("grpc.max_receive_message_length", 32 << 20),
    ("grpc.max_send_message_length", 32 << 20),
]


def new_server(auth: Authenticator) -> grpc.aio.Server:
    """A server whose guarded services put every call through `auth` first."""
    return grpc.aio.server(options=SERVER_OPTIONS, interceptors=[AuthInterceptor(auth)])


def add_services(
    server: grpc.aio.Server,
    *,
    link: SlaveLinkServicer,
    tasks: TaskServicer,
    catalogue: CatalogServicer,
    files: FileServicer,
    crontabs: CrontabServicer,
    tokens: TokenServicer,
    versions: VersionServicer,
    approvals: ApprovalServicer | None = None,
    approval_links: ApprovalLinkServicer | None = None,
    reports: ReportServicer,
    notify: NotifyServicer,
    terminals: TerminalServicer | None = None,
    slave_terminals: SlaveTerminalServicer | None = None,
    masters: MasterServicer | None = None,
) -> health.aio.HealthServicer:
    """Add the services; the health servicer, whose statuses say whether the master holds its
    database (master/cluster/health.py)."""
    slave_pb2_grpc.add_SlaveLinkServicer_to_server(link, server)
    task_pb2_grpc.add_TaskServiceServicer_to_server(tasks, server)
    catalog_pb2_grpc.add_CatalogServiceServicer_to_server(catalogue, server)
    slave_pb2_grpc.add_FileServiceServicer_to_server(files, server)
    crontab_pb2_grpc.add_CrontabServiceServicer_to_server(crontabs, server)
    auth_pb2_grpc.add_TokenServiceServicer_to_server(tokens, server)
    vv_pb2_grpc.add_VersionServiceServicer_to_server(versions, server)

    if approvals is not None:
        approval_pb2_grpc.add_ApprovalServiceServicer_to_server(approvals, server)
    if approval_links is not None:
        approval_pb2_grpc.add_ApprovalLinkServiceServicer_to_server(approval_links, server)
    report_pb2_grpc.add_ReportServiceServicer_to_server(reports, server)

    notify_pb2_grpc.add_NotifyServiceServicer_to_server(notify, server)
    if terminals is not None:
        terminal_pb2_grpc.add_TerminalServiceServicer_to_server(terminals, server)
    if slave_terminals is not None:
        slave_pb2_grpc.add_SlaveTerminalServicer_to_server(slave_terminals, server)
    if masters is not None:
        cluster_pb2_grpc.add_MasterServiceServicer_to_server(masters, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ["", *SERVICES]:
        asyncio.ensure_future(health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING))
    reflection.enable_server_reflection(
        [*SERVICES, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    return health_servicer
