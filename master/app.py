"""The composition root: builds the master's parts and runs its gRPC server; and unlock, which
settles the secrets key against the database before the schema is migrated."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from types import TracebackType

import peewee

from master.catalogue.blob_sweep import sweep_forever
from master.catalogue.filestore import FileStore
from master.catalogue.service import Catalogue, Tokens
from master.catalogue.variables import RenderLimit
from master.cluster.bus import Bus
from master.cluster.health import probe_forever
from master.cluster.listing import MasterList
from master.cluster.member import Member
from master.cluster.relay import Relays
from master.config import MasterConfig
from master.cron.scheduler import Scheduler
from master.cron.service import Crontabs
from master.db.connection import DbRunner, open_database, sqlite_file
from master.db.private import make_private
from master.db.schema import migrate
from master.errors import Unavailable
from master.notify.channels import Sms, Smtp
from master.notify.expand import Addressing, Expander
from master.notify.retry import RetryPolicy
from master.notify.service import Notify
from master.notify.worker import Channels, NotifyWorker
from master.reports.service import Reports
from master.rpc.approval_service import ApprovalLinkServicer, ApprovalServicer
from master.rpc.auth import Authenticator
from master.rpc.catalog_service import CatalogServicer
from master.rpc.crontab_service import CrontabServicer
from master.rpc.file_service import FileServicer
from master.rpc.health import DbHealth
from master.rpc.master_service import MasterServicer
from master.rpc.notify_service import NotifyServicer
from master.rpc.report_service import ReportServicer
from master.rpc.server import SERVICES, add_services, new_server
from master.rpc.slave_link import SlaveLinkServicer
from master.rpc.slave_terminal import SlaveTerminalServicer
from master.rpc.task_service import TaskServicer
from master.rpc.terminal_service import TerminalServicer
from master.rpc.token_service import TokenServicer
from master.rpc.vv_service import VersionServicer
from master.secrets import KeyFileError, SecretBox
from master.slaves.service import Slaves
from master.slaves.sessions import SlaveSessions
from master.store import accounts
from master.tasks.approval_answers import ApprovalAnswers
from master.tasks.engine import TaskEngine
from master.tasks.events import TaskEvents
from master.tasks.intake import Intake
from master.tasks.notes import TaskNotes
from master.tasks.queries import TaskQueries
from master.tasks.quotas import Quotas
from master.tasks.runlogs import RunLogs
from master.tasks.versions import Versions
from master.terminal.admission import Admission
from master.terminal.lines import LineRunner
from master.terminal.records import TerminalRecords
from master.terminal.shell import SlaveShells

logger = logging.getLogger(__name__)
CRON_THREADS = 1  # the scheduler's database threads, beside the pool's (db_pool_size)


class Master:
    """The master daemon: `await run()` serves until `shutdown()`."""

    def __init__(self, config: MasterConfig) -> None:
        self.config = config
        make_private(config.data_dir, sqlite_file(config.db_url))
        self.secrets = SecretBox.load(config.secrets_key_file)
        self.run_db = DbRunner(config.db_threads)
        self.cron_db = DbRunner(CRON_THREADS)
        """The scheduler's claims and writes: a thread (and connection) of their own, so a
        tick's claim is not queued behind the engine's calls."""
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
            config.public_url,
        )
        self.approvals = ApprovalAnswers(self.run_db, self.engine.approvals)
        self.intake = Intake(self.engine, config.lease, config.max_log_bytes, config.silent_after)
        self.queries = TaskQueries(self.run_db, self.events)
        self.run_logs = RunLogs(self.run_db)
        self.notes = TaskNotes(self.run_db, self.run_logs, self.events)
        self.files = FileStore(config.blobs, config.max_upload_bytes)
        self.scheduler = Scheduler(
            self.cron_db, self.engine, max_in_flight=config.db_threads // 2 or 1
        )
        self.crontabs = Crontabs(
            self.run_db,
            config.time_zone,
            self._crontab_changed,
            max_per_project=config.max_crontabs,
        )
        join_token = config.join_token.value if config.join_token else ""
        self.slaves = Slaves(self.run_db, self.sessions, join_token)
        self.catalogue = Catalogue(self.run_db, self.secrets)
        self.tokens = Tokens(self.run_db)
        self.reports = Reports(self.run_db, config.time_zone)
        self.shells = SlaveShells(self.sessions)
        """The ShellRunner: the TerminalService servicer opens shells through it."""

        self.notify = Notify(self.run_db, self.secrets)
        self.notifier = notify_worker(config, self.run_db, self.secrets)
        self.events.on_every_change(self.notifier.poke)
        self.auth = Authenticator(self.tokens, self.slaves, config.admin_token, config.join_token)
        self.terminals = Admission(self.run_db, self.sessions, self.engine, config.terminal)
        self.relays: Relays | None = None
        self.bus: Bus | None = None
        if config.advertise:  # multi-master mode: nothing of this runs for a single master
            self.relays = Relays(self.run_db, config.advertise, self.engine)
            self.engine.elsewhere = self.relays
            self.bus = Bus(
                config.db_url,
                config.advertise,
                self.events,
                self.relays.wake,
                on_crontab=self.scheduler.heard,
            )
        self.member = (
            Member(
                config.advertise,
                self.run_db,
                self.sessions,
                self.engine,
                self.intake,
                self.relays.resend_pending if self.relays else None,
            )
            if config.advertise
            else None
        )
        """This master as one of a cluster (--advertise); None: the only master."""
        self.health: DbHealth | None = None
        self.server = new_server(self.auth)
        self.port = 0
        self._stopped = asyncio.Event()
        self._done = asyncio.Event()
        self._running = False

    async def start(self) -> None:
        pool_size = self.config.db_pool_size + CRON_THREADS
        database = await self.run_db(open_database, self.config.db_url, pool_size)
        await self.run_db(unlock, database, self.secrets)
        await asyncio.to_thread(self.files.make_private)
        if self.member is not None:
            await self.member.join()
        if self.bus is not None:
            await self.bus.start()
        self._add_services()
        tls = self.config.tls
        if tls is None:
            self.port = self.server.add_insecure_port(self.config.listen)
        else:
            self.port = self.server.add_secure_port(self.config.listen, tls.credentials())
        await self.server.start()
        if self.member is None:
            await self.intake.recover()
        else:
            await self.member.recover()
        await self.terminals.recover()
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

    def _crontab_changed(self, crontab_id: int) -> None:
        """A crontab changed: this master's scheduler reloads it, and every other master's
        (through the bus): the next tick may be claimed by any of them."""
        self.scheduler.poke(crontab_id)
        if self.bus is not None:
            self.bus.crontab_changed(crontab_id)

    def _add_services(self) -> None:
        heartbeat = self.config.heartbeat_interval
        registry = self.member.registry if self.member else None
        listed = MasterList(
            self.config.advertise or self.config.listen, registry, self.run_db, self.sessions
        )
        health = add_services(
            self.server,
            link=SlaveLinkServicer(
                self.intake,
                self.sessions,
                self.slaves,
                heartbeat,
                self.config.max_upload_bytes,
                registry,
            ),
            tasks=TaskServicer(self.engine, self.queries, self.run_logs, self.notes),
            catalogue=CatalogServicer(self.catalogue, self.slaves, self.sessions, self.files),
            files=FileServicer(self.files, self.queries),
            crontabs=CrontabServicer(self.crontabs),
            tokens=TokenServicer(self.tokens, self.auth),
            versions=VersionServicer(Versions(self.run_db)),
            approvals=ApprovalServicer(self.engine, self.queries, self.approvals),
            approval_links=ApprovalLinkServicer(self.approvals),
            reports=ReportServicer(self.reports),
            notify=NotifyServicer(self.notify),
            terminals=TerminalServicer(
                self.terminals,
                LineRunner(self.engine, self.queries, self.run_db),
                self.shells,
                TerminalRecords(self.run_db),
                self.auth,
            ),
            slave_terminals=SlaveTerminalServicer(self.shells),
            masters=MasterServicer(listed),
        )
        self.health = DbHealth(health, SERVICES)

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
            self.cron_db.close(connections=False)  # run_db closes them
            self.run_db.close()
            self._done.set()
            raise
        sweepers = [
            asyncio.create_task(self._sweep_forever()),
            asyncio.create_task(sweep_forever(self.run_db, self.files, self.config.blob_grace)),
        ]
        if self.config.notify.deliver:
            sweepers.append(asyncio.create_task(self.notifier.run()))
        if self.relays is not None:
            sweepers.append(asyncio.create_task(self.relays.run()))
        scheduler = asyncio.create_task(self.scheduler.run())
        assert self.health is not None  # start() made it
        if self.member is not None:
            self.member.start(self.health.report)
        else:
            sweepers.append(asyncio.create_task(probe_forever(self.run_db, self.health.report)))
        try:
            await self._stopped.wait()
        finally:
            if self.member is not None:
                await self.member.leave()
            await self.scheduler.shutdown()
            await scheduler
            for sweeper in sweepers:
                sweeper.cancel()
            await asyncio.gather(*sweepers, return_exceptions=True)
            if self.bus is not None:
                await self.bus.close()
            self.sessions.close_all()
            await self.server.stop(grace=2.0)
            self.cron_db.close(connections=False)  # run_db closes them
            self.run_db.close()
            self._done.set()

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.heartbeat_interval)
            try:
                await self.intake.sweep(self.sessions.heard_within(self.config.silent_after))
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


def notify_worker(config: MasterConfig, run_db: DbRunner, box: SecretBox) -> NotifyWorker:
    """The outbox's worker with the configured channels and retry schedule."""
    settings = config.notify
    smtp = Smtp.parse(settings.smtp_url.value, settings.smtp_from) if settings.smtp_url else None
    return NotifyWorker(
        run_db,
        Expander(box, Addressing(settings.mail_domain, config.time_zone)),
        Channels(smtp, Sms(settings.sms_url, settings.sms_command)),
        RetryPolicy(settings.retry_base, settings.max_attempts),
        poll=settings.poll,
    )


def unlock(database: peewee.Database, box: SecretBox) -> list[str]:
    """Settle the key against the database, then migrate (sealing what is plain); the applied
    migrations' names. KeyFileError when the key is missing or not the one secrets were sealed
    with, naming the file: nothing is sealed with a key before it is known to be the right one.
    Runs on a database thread (it reads the accounts)."""
    count, sample = accounts.sealed_secrets()
    if box.fresh and count:
        raise KeyFileError(
            f"secrets key {box.source} is missing, and the database holds {count} account(s) "
            "with secrets sealed by a key: restore that key file from its backup (a new key "
            "would not open them)"
        )
    if box.fresh:
        box.save()
        logger.warning(
            "made the secrets key %s (0600): back it up; every master of this database needs "
            "a copy of it",
            box.source,
        )
    if sample:
        box.open(sample)  # KeyFileError now rather than at the first SSH dispatch
    return migrate(database, box)
