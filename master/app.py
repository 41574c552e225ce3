"""The composition root: builds the master's parts and runs its gRPC server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from types import TracebackType

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from jobfleet.v1 import (
    auth_pb2,
    auth_pb2_grpc,
    catalog_pb2,
    catalog_pb2_grpc,
    crontab_pb2,
    crontab_pb2_grpc,
    slave_pb2,
    slave_pb2_grpc,
    task_pb2,
    task_pb2_grpc,
)

from master.auth import Authenticator, AuthInterceptor
from master.catalogue.blob_sweep import sweep_forever
from master.catalogue.filestore import FileStore
from master.catalogue.service import Catalogue, Tokens
from master.catalogue.variables import RenderLimit
from master.config import MasterConfig
from master.cron.scheduler import Scheduler
from master.cron.service import Crontabs
from master.db import DbRunner, open_database, sqlite_file
from master.errors import Unavailable
from master.private import make_private, unlock
from master.secrets import SecretBox
from master.servicers.catalog import CatalogServicer
from master.servicers.crontab import CrontabServicer
from master.servicers.files import FileServicer
from master.servicers.slave_link import SlaveLinkServicer
from master.servicers.task import TaskServicer
from master.servicers.tokens import TokenServicer
from master.slaves.service import Slaves
from master.slaves.sessions import SlaveSessions
from master.tasks.engine import TaskEngine
from master.tasks.events import TaskEvents
from master.tasks.intake import Intake
from master.tasks.queries import TaskQueries
from master.tasks.quotas import Quotas

logger = logging.getLogger(__name__)
SERVICES = [
    slave_pb2.DESCRIPTOR.services_by_name["SlaveLink"].full_name,
    task_pb2.DESCRIPTOR.services_by_name["TaskService"].full_name,
    catalog_pb2.DESCRIPTOR.services_by_name["CatalogService"].full_name,
    slave_pb2.DESCRIPTOR.services_by_name["FileService"].full_name,
    crontab_pb2.DESCRIPTOR.services_by_name["CrontabService"].full_name,
    auth_pb2.DESCRIPTOR.services_by_name["TokenService"].full_name,
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


class Master:
    """The master daemon: `await run()` serves until `shutdown()`."""

    def __init__(self, config: MasterConfig) -> None:
        self.config = config
        make_private(config.data_dir, sqlite_file(config.db_url))
        self.secrets = SecretBox.load(config.secrets_key_file)
        self.run_db = DbRunner(config.db_threads)
        self.sessions = SlaveSessions()
        self.events = TaskEvents()
        quotas = Quotas(
            config.max_running_tasks, config.max_submissions_per_second, config.max_crontabs
        )
        self.engine = TaskEngine(
            self.run_db,
            self.sessions,
            self.events,
            RenderLimit(config.max_script_bytes),
            quotas,
            self.secrets,
        )
        self.intake = Intake(self.engine, config.lease, config.max_log_bytes)
        self.queries = TaskQueries(self.run_db, self.events)
        self.files = FileStore(config.data_dir / "blobs", config.max_upload_bytes)
        self.scheduler = Scheduler(
            self.run_db, self.engine, max_in_flight=config.db_threads // 2 or 1
        )
        self.crontabs = Crontabs(
            self.run_db, config.time_zone, self.scheduler.poke, max_per_project=config.max_crontabs
        )
        join_token = config.join_token.value if config.join_token else ""
        self.slaves = Slaves(self.run_db, self.sessions, join_token)
        self.catalogue = Catalogue(self.run_db, self.secrets)
        self.tokens = Tokens(self.run_db)
        self.auth = Authenticator(self.tokens, self.slaves, config.admin_token, config.join_token)
        self.server = grpc.aio.server(
            options=SERVER_OPTIONS, interceptors=[AuthInterceptor(self.auth)]
        )
        self.port = 0
        self._stopped = asyncio.Event()
        self._done = asyncio.Event()
        self._running = False

    async def start(self) -> None:
        database = await self.run_db(open_database, self.config.db_url, self.config.db_pool_size)
        await self.run_db(unlock, database, self.secrets)
        await asyncio.to_thread(self.files.make_private)
        self._add_services()
        tls = self.config.tls
        if tls is None:
            self.port = self.server.add_insecure_port(self.config.listen)
        else:
            self.port = self.server.add_secure_port(self.config.listen, tls.credentials())
        await self.server.start()
        await self.intake.recover()
        host = self.config.listen.rpartition(":")[0]
        logger.info(
            "master listening on %s:%d (%s), database %s",
            host,
            self.port,
            "plaintext" if tls is None else "mutual TLS" if tls.client_ca else "TLS",
            self.config.db_url.split("@")[-1],
        )
        if self.config.join_token is None and (tls is None or tls.client_ca is None):
            logger.warning(
                "no join token: any process that reaches %s:%d can enrol as a slave and receive "
                "work and SSH secrets (set --join-token-file)",
                host,
                self.port,
            )
        self._write_ready(f"{host}:{self.port}")

    def _add_services(self) -> None:
        slave_pb2_grpc.add_SlaveLinkServicer_to_server(
            SlaveLinkServicer(
                self.intake, self.sessions, self.slaves, self.config.heartbeat_interval
            ),
            self.server,
        )
        task_pb2_grpc.add_TaskServiceServicer_to_server(
            TaskServicer(self.engine, self.queries), self.server
        )
        catalog_pb2_grpc.add_CatalogServiceServicer_to_server(
            CatalogServicer(self.catalogue, self.slaves, self.sessions, self.files), self.server
        )
        slave_pb2_grpc.add_FileServiceServicer_to_server(
            FileServicer(self.files, self.queries), self.server
        )
        crontab_pb2_grpc.add_CrontabServiceServicer_to_server(
            CrontabServicer(self.crontabs), self.server
        )
        auth_pb2_grpc.add_TokenServiceServicer_to_server(
            TokenServicer(self.tokens, self.auth), self.server
        )
        health_servicer = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(health_servicer, self.server)
        for name in ["", *SERVICES]:
            asyncio.ensure_future(health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING))
        reflection.enable_server_reflection(
            [*SERVICES, health.SERVICE_NAME, reflection.SERVICE_NAME], self.server
        )

    def _write_ready(self, listen: str) -> None:
        path = self.config.ready_file
        if path is None:
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"listen": listen, "pid": os.getpid()}))
        tmp.replace(path)

    async def run(self) -> None:
        self._running = True
        try:
            await self.start()
        except BaseException:
            self.run_db.close()
            self._done.set()
            raise
        sweepers = [
            asyncio.create_task(self._sweep_forever()),
            asyncio.create_task(sweep_forever(self.run_db, self.files, self.config.blob_grace)),
        ]
        scheduler = asyncio.create_task(self.scheduler.run())
        try:
            await self._stopped.wait()
        finally:
            await self.scheduler.shutdown()
            await scheduler
            for sweeper in sweepers:
                sweeper.cancel()
            await asyncio.gather(*sweepers, return_exceptions=True)
            self.sessions.close_all()
            await self.server.stop(grace=2.0)
            self.run_db.close()
            self._done.set()

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.heartbeat_interval)
            try:
                await self.intake.sweep(self.sessions.heard_within(self.config.lease / 2))
            except Unavailable as exc:
                logger.warning("sweep skipped: %s", exc)
            except Exception:
                logger.exception("sweep failed; trying again next beat")

    async def shutdown(self) -> None:
        """Stop serving and wait until done; safe to call twice or before run()."""
        self._stopped.set()
        if self._running:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._done.wait(), 10)

    async def __aenter__(self) -> Master:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.shutdown()
