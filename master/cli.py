"""`jobfleet-master`: serve, or look after the database schema.

Exit codes: 0 clean stop, 1 runtime failure (busy port, database unreachable), 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import logging.config
import signal
import sys
import urllib.parse
from pathlib import Path

from jobfleet.heap import keep_freed_memory
from jobfleet.logs import skip_caller_lookup
from jobfleet.tls import Pem, ServerTls, TlsError, server_tls
from master.app import Master, unlock
from master.config import (
    ConfigError,
    MasterConfig,
    NotifySettings,
    Secret,
    TerminalLimits,
    env_default,
    lease_for,
    parse_host_port,
    positive,
    positive_int,
    positive_number,
    secret_setting,
)
from master.cron.expression import ScheduleError, zone
from master.db.connection import (
    check_url,
    in_connection,
    is_postgres_url,
    mask_url,
    open_database,
    sqlite_file,
)
from master.db.private import make_private
from master.db.schema import schema_status
from master.errors import InvalidArgument, JobfleetError
from master.log_config import default_log_config
from master.notify.channels import Smtp
from master.notify.urls import http_url
from master.secrets import KeyFileError, SecretBox
from master.store import slaves

logger = logging.getLogger(__name__)
RET_OK, RET_FAIL, RET_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jobfleet-master", description=__doc__)
    p.add_argument(
        "--listen",
        default=env_default("listen", "127.0.0.1:7070"),
        help="gRPC address HOST:PORT (port 0 = any free port) [JOBFLEET_LISTEN]",
    )
    p.add_argument(
        "--db",
        default=env_default("db", ""),
        help="database: a path, sqlite:///path or postgresql://… [JOBFLEET_DB]",
    )
    p.add_argument(
        "--db-pool-size",
        default=env_default("db_pool_size", "4"),
        help="database connections (and threads running database work) [JOBFLEET_DB_POOL_SIZE]",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        default=Path(env_default("data_dir", ".jobfleet")),
        help="data directory (embedded database, file store) [JOBFLEET_DATA_DIR]",
    )
    p.add_argument("--ready-file", type=Path, help='write {"listen": …} here once serving')
    p.add_argument(
        "--heartbeat", type=float, default=5.0, help="seconds between slave heartbeats (5)"
    )
    p.add_argument(
        "--lease",
        type=float,
        help="seconds a silent slave keeps its executions before they are lost "
        "(default: 3 heartbeats, at least 15)",
    )
    p.add_argument(
        "--time-zone",
        default=env_default("time_zone", "UTC"),
        help="IANA time zone of crontabs created without one [JOBFLEET_TIME_ZONE]",
    )
    p.add_argument(
        "--max-upload-bytes",
        type=int,
        default=int(env_default("max_upload_bytes", str(1 << 30))),
        help="largest file the file store takes [JOBFLEET_MAX_UPLOAD_BYTES]",
    )
    p.add_argument(
        "--max-log-bytes",
        type=int,
        default=int(env_default("max_log_bytes", str(64 << 20))),
        help="output stored per execution; the rest is dropped and marked [JOBFLEET_MAX_LOG_BYTES]",
    )
    p.add_argument(
        "--admin-token-file",
        type=Path,
        help="file holding the bootstrap admin token (acts on every project) "
        "[JOBFLEET_ADMIN_TOKEN holds the token itself]",
    )
    p.add_argument(
        "--join-token-file",
        type=Path,
        help="file holding the token slaves must present to attach "
        "[JOBFLEET_JOIN_TOKEN holds the token itself]",
    )
    limits = p.add_argument_group("limits per request and quotas per project")
    limits.add_argument(
        "--max-script-bytes",
        default=env_default("max_script_bytes", str(1 << 20)),
        help="largest script, argument list or path of a step after variables are substituted; "
        "a task renders at most 8 times that in all [JOBFLEET_MAX_SCRIPT_BYTES, default 1 MiB]",
    )
    limits.add_argument(
        "--max-running-tasks",
        default=env_default("max_running_tasks", "200"),
        help="tasks of one project not ended at once [JOBFLEET_MAX_RUNNING_TASKS, default 200]",
    )
    limits.add_argument(
        "--max-submissions-per-second",
        default=env_default("max_submissions_per_second", "20"),
        help="tasks one project may start per second on this master, sustained; bursts of 5 s "
        "worth [JOBFLEET_MAX_SUBMISSIONS_PER_SECOND, default 20]",
    )
    limits.add_argument(
        "--max-crontabs",
        default=env_default("max_crontabs", "200"),
        help="crontabs one project may have [JOBFLEET_MAX_CRONTABS, default 200]",
    )
    limits.add_argument(
        "--terminal-max-per-project",
        default=env_default("terminal_max_per_project", "20"),
        help="terminal sessions open at once in one project [JOBFLEET_TERMINAL_MAX_PER_PROJECT, "
        "default 20]",
    )
    limits.add_argument(
        "--terminal-max-per-user",
        default=env_default("terminal_max_per_user", "5"),
        help="terminal sessions open at once for one token and actor "
        "[JOBFLEET_TERMINAL_MAX_PER_USER, default 5]",
    )
    limits.add_argument(
        "--terminal-idle-timeout",
        default=env_default("terminal_idle_timeout", "900"),
        help="seconds without input before a terminal session ends "
        "[JOBFLEET_TERMINAL_IDLE_TIMEOUT, default 900]",
    )
    limits.add_argument(
        "--terminal-ticket-ttl",
        default=env_default("terminal_ticket_ttl", "60"),
        help="seconds a terminal ticket may wait for its open [JOBFLEET_TERMINAL_TICKET_TTL, "
        "default 60]",
    )
    p.add_argument(
        "--public-url",
        default=env_default("public_url", "http://127.0.0.1:8080"),
        help="the gateway's base URL as approvers reach it, for approval links "
        "[JOBFLEET_PUBLIC_URL, default http://127.0.0.1:8080]",
    )
    p.add_argument(
        "--blob-dir",
        type=Path,
        default=Path(b) if (b := env_default("blob_dir", "")) else None,
        help="the file store's blobs; several masters: one shared directory (docs/ha.md) "
        "[JOBFLEET_BLOB_DIR, default DATA_DIR/blobs]",
    )
    p.add_argument(
        "--key-file",
        type=Path,
        default=Path(k) if (k := env_default("key_file", "")) else None,
        help="key encrypting secrets at rest; made (0600) at first start "
        "[JOBFLEET_KEY_FILE, default DATA_DIR/secrets.key]",
    )
    p.add_argument(
        "--blob-grace",
        default=env_default("blob_grace", "3600"),
        help="seconds an unreferenced blob (and a stale upload temp file) is kept before the "
        "file store sweep removes it [JOBFLEET_BLOB_GRACE, default 3600]",
    )
    p.add_argument(
        "--advertise",
        default=env_default("master_advertise", ""),
        metavar="HOST:PORT",
        help="run as one of several masters on one PostgreSQL; this master's name and the "
        "address slaves and gateways reach it at (docs/ha.md) [JOBFLEET_MASTER_ADVERTISE]",
    )
    notify_flags(p)
    tls = p.add_argument_group("TLS on the gRPC port (see docs/tls.md)")
    tls.add_argument("--tls-cert", type=Path, metavar="FILE", help="certificate chain (PEM)")
    tls.add_argument("--tls-key", type=Path, metavar="FILE", help="its key (PEM, unencrypted)")
    tls.add_argument(
        "--tls-ca",
        type=Path,
        metavar="FILE",
        help="CA (PEM): clients must present a certificate it signed (mutual TLS)",
    )
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command")
    db = sub.add_parser("db", help="schema version and migrations (status), or apply them")
    db.add_argument("action", choices=["status", "upgrade"])
    enrolled = sub.add_parser(
        "slaves", help="enrolled slaves (list), or drop one's enrolment so its name may enrol again"
    )
    enrolled.add_argument("action", choices=["list", "forget"])
    enrolled.add_argument("name", nargs="?", help="the slave to forget")
    return p


def notify_flags(p: argparse.ArgumentParser) -> None:
    notify = p.add_argument_group("notifications (see docs/notifications.md)")
    notify.add_argument(
        "--smtp-url",
        default=env_default("smtp_url", ""),
        help="mail server: smtp[s]://[user:pass@]host[:port] or smtp+starttls://… "
        "[JOBFLEET_SMTP_URL]",
    )
    notify.add_argument(
        "--smtp-from",
        default=env_default("smtp_from", "jobfleet@localhost"),
        help="the mails' sender [JOBFLEET_SMTP_FROM]",
    )
    notify.add_argument(
        "--mail-domain",
        default=env_default("mail_domain", ""),
        help="a user name without @ is mailed at NAME@DOMAIN [JOBFLEET_MAIL_DOMAIN]",
    )
    notify.add_argument(
        "--sms-url",
        default=env_default("sms_url", ""),
        help="SMS gateway URL, ${user} and ${mesg} replaced, POSTed [JOBFLEET_SMS_URL]",
    )
    notify.add_argument(
        "--sms-command",
        default=env_default("sms_command", ""),
        help="SMS command (no shell): run with the user as last argument, the message on stdin "
        "[JOBFLEET_SMS_COMMAND]",
    )
    notify.add_argument(
        "--notify-retry-base",
        default=env_default("notify_retry_base", "5"),
        help="seconds before the first retry of a failed delivery, doubled each time [5]",
    )
    notify.add_argument(
        "--notify-max-attempts",
        default=env_default("notify_max_attempts", "8"),
        help="attempts before a delivery is failed [8]",
    )
    notify.add_argument(
        "--no-deliver",
        action="store_true",
        help="write notices but send nothing: another master sharing the database delivers",
    )
    notify.add_argument(
        "--notify-poll",
        default=env_default("notify_poll", "0.25"),
        help="seconds between the outbox worker's looks for work [0.25]",
    )


def notify_from(args: argparse.Namespace) -> NotifySettings:
    if args.smtp_url:
        try:
            Smtp.parse(args.smtp_url, args.smtp_from)
        except ValueError as exc:
            raise ConfigError(f"smtp_url (--smtp-url): {exc}") from None
    if args.sms_url:
        try:
            http_url(args.sms_url, "sms_url")
        except InvalidArgument as exc:
            raise ConfigError(f"sms_url (--sms-url): {exc}") from None
    return NotifySettings(
        smtp_url=Secret(args.smtp_url) if args.smtp_url else None,
        smtp_from=args.smtp_from,
        mail_domain=args.mail_domain,
        sms_url=args.sms_url,
        sms_command=args.sms_command,
        retry_base=positive_number(
            args.notify_retry_base, "notify_retry_base", "--notify-retry-base"
        ),
        poll=positive_number(args.notify_poll, "notify_poll", "--notify-poll"),
        deliver=not args.no_deliver,
        max_attempts=positive_int(
            args.notify_max_attempts, "notify_max_attempts", "--notify-max-attempts"
        ),
    )


def check_tls_flags(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """A certificate without its key (or the reverse), or a client CA without both, is a usage
    error (exit 2), before any file is read."""
    if args.tls_cert and not args.tls_key:
        p.error("--tls-cert needs --tls-key (the certificate's private key)")
    if args.tls_key and not args.tls_cert:
        p.error("--tls-key needs --tls-cert (the certificate it belongs to)")
    if args.tls_ca and not args.tls_cert:
        p.error("--tls-ca (mutual TLS) needs --tls-cert and --tls-key")


def tls_from(args: argparse.Namespace) -> ServerTls | None:
    if not args.tls_cert:
        return None
    try:
        return server_tls(
            Pem(args.tls_cert, "--tls-cert"),
            Pem(args.tls_key, "--tls-key"),
            Pem(args.tls_ca, "--tls-ca") if args.tls_ca else None,
        )
    except TlsError as exc:
        raise ConfigError(str(exc)) from None


def config_from(args: argparse.Namespace) -> MasterConfig:
    parse_host_port(args.listen, "listen", "--listen or JOBFLEET_LISTEN")
    if args.db:
        check_url(args.db)
    advertise = advertise_setting(args.advertise, args.db)
    admin = secret_setting(args.admin_token_file, "admin_token", 16)
    join = secret_setting(args.join_token_file, "join_token", 8)
    if admin is not None and join is not None and admin.value == join.value:
        # Every slave would hold the admin's key; refuse rather than guess which was meant.
        raise ConfigError("the admin token and the join token must differ")
    if join is None and not args.tls_ca and not is_loopback(args.listen):
        raise ConfigError(
            f"listen ({args.listen}): other machines can reach this port, and without a join "
            "token (--join-token-file or JOBFLEET_JOIN_TOKEN) or mutual TLS (--tls-ca) any of "
            "them could enrol as a slave and receive work and SSH secrets"
        )
    return MasterConfig(
        max_upload_bytes=int(
            positive(args.max_upload_bytes, "max_upload_bytes", "--max-upload-bytes")
        ),
        max_log_bytes=int(positive(args.max_log_bytes, "max_log_bytes", "--max-log-bytes")),
        listen=args.listen,
        data_dir=args.data_dir,
        db=args.db,
        db_pool_size=positive_int(
            args.db_pool_size, "db_pool_size", "--db-pool-size or JOBFLEET_DB_POOL_SIZE"
        ),
        ready_file=args.ready_file,
        heartbeat_interval=positive(args.heartbeat, "heartbeat", "--heartbeat"),
        lease=positive(
            lease_for(args.heartbeat) if args.lease is None else args.lease, "lease", "--lease"
        ),
        time_zone=zone_setting(args.time_zone, "--time-zone or JOBFLEET_TIME_ZONE"),
        admin_token=admin,
        join_token=join,
        tls=tls_from(args),
        max_script_bytes=positive_int(
            args.max_script_bytes, "max_script_bytes", "--max-script-bytes"
        ),
        max_running_tasks=positive_int(
            args.max_running_tasks, "max_running_tasks", "--max-running-tasks"
        ),
        max_submissions_per_second=positive_number(
            args.max_submissions_per_second,
            "max_submissions_per_second",
            "--max-submissions-per-second",
        ),
        max_crontabs=positive_int(args.max_crontabs, "max_crontabs", "--max-crontabs"),
        terminal=terminal_from(args),
        key_file=args.key_file,
        blob_dir=args.blob_dir,
        blob_grace=positive_number(args.blob_grace, "blob_grace", "--blob-grace"),
        public_url=public_url(args.public_url, "--public-url or JOBFLEET_PUBLIC_URL"),
        notify=notify_from(args),
        advertise=advertise,
    )


def advertise_setting(value: str, db_url: str) -> str:
    """The master's name in multi-master mode ("" = single master). Several masters share
    state only through PostgreSQL: on SQLite the mode is refused rather than half working."""
    value = value.strip()
    if not value:
        return ""
    source = "--advertise or JOBFLEET_MASTER_ADVERTISE"
    parse_host_port(value, "advertise", source)
    if not is_postgres_url(db_url):
        raise ConfigError(
            f"advertise ({source}): several masters need one shared PostgreSQL database "
            "(--db postgresql://…); SQLite serves a single master only"
        )
    return value


def terminal_from(args: argparse.Namespace) -> TerminalLimits:
    return TerminalLimits(
        max_per_project=positive_int(
            args.terminal_max_per_project, "terminal_max_per_project", "--terminal-max-per-project"
        ),
        max_per_user=positive_int(
            args.terminal_max_per_user, "terminal_max_per_user", "--terminal-max-per-user"
        ),
        idle_timeout=positive_number(
            args.terminal_idle_timeout, "terminal_idle_timeout", "--terminal-idle-timeout"
        ),
        ticket_ttl=positive_number(
            args.terminal_ticket_ttl, "terminal_ticket_ttl", "--terminal-ticket-ttl"
        ),
    )


def public_url(value: str, source: str) -> str:
    """An http(s) base URL, without a trailing slash."""
    parts = urllib.parse.urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ConfigError(f"public_url: not an http(s) base URL: {value!r} (from {source})")
    return value.strip().rstrip("/")


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    check_tls_flags(p, args)
    logging.config.dictConfig(default_log_config(args.verbose))
    skip_caller_lookup()
    try:
        config = config_from(args)
    except ConfigError as exc:
        print(f"jobfleet-master: {exc}", file=sys.stderr)
        return RET_USAGE
    try:
        if args.command == "db":
            return db_command(config, args.action)
        if args.command == "slaves":
            return slaves_command(config, args.action, args.name or "")
        keep_freed_memory()  # output chunks are copied without page faults (jobfleet/heap.py)
        asyncio.run(serve(config))
    except RuntimeError as exc:
        logger.error("cannot serve on %s: %s", config.listen, exc)
        return RET_FAIL
    except KeyFileError as exc:  # the secrets key is unsafe, missing or not the right one
        logger.error("cannot start: %s", exc)
        return RET_FAIL
    except JobfleetError as exc:  # the database is unreachable
        logger.error("cannot start: %s (%s)", exc, mask_url(config.db_url))
        return RET_FAIL
    return RET_OK


def db_command(config: MasterConfig, action: str) -> int:
    """`db status`: the schema version and each migration; `db upgrade`: apply pending ones."""
    if action == "upgrade":
        make_private(config.data_dir, sqlite_file(config.db_url))
    database = open_database(config.db_url, pool_size=1)
    if action == "upgrade":
        box = SecretBox.load(config.secrets_key_file)
        applied = in_connection(unlock, database, box)
        print(f"applied: {', '.join(applied) or 'nothing, schema is current'}")
    status = in_connection(schema_status, database)
    done = [name for name, applied_flag in status if applied_flag]
    print(f"database {mask_url(config.db_url)}")
    print(
        f"schema version {done[-1] if done else 'none'} "
        f"({len(done)} of {len(status)} migrations applied)"
    )
    for name, applied_flag in status:
        print(f"{'applied' if applied_flag else 'pending'}  {name}")
    return RET_OK


def slaves_command(config: MasterConfig, action: str, name: str) -> int:
    """`slaves list`: enrolments; `slaves forget NAME`: drop one (its name may enrol again)."""
    database = open_database(config.db_url, pool_size=1)
    if not all(applied for _, applied in in_connection(schema_status, database)):
        print("jobfleet-master: the schema is not current: db upgrade first", file=sys.stderr)
        return RET_FAIL
    if action == "forget":
        if not name:
            print("jobfleet-master: slaves forget needs the slave's name", file=sys.stderr)
            return RET_USAGE
        if not in_connection(slaves.forget, name):
            print(f"jobfleet-master: no slave {name}", file=sys.stderr)
            return RET_FAIL
        print(f"slave {name}: enrolment dropped; it may enrol again with a join or project token")
        return RET_OK
    for row in in_connection(slaves.list_slaves):
        serves = "every project" if not row.projects else f"projects {row.projects}"
        state = f"enrolled by {row.enrolled_by}" if row.credential else "not enrolled"
        print(f"{row.name}\t{state}\t{serves}\tlast seen {row.last_seen:%Y-%m-%d %H:%M:%S}")
    return RET_OK


def is_loopback(listen: str) -> bool:
    """Whether HOST of HOST:PORT is a loopback address (or localhost)."""
    host = listen.rpartition(":")[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def zone_setting(name: str, source: str) -> str:
    """A master setting naming a zone: the name, or ConfigError saying where it came from."""
    try:
        zone(name)
    except ScheduleError as exc:
        raise ConfigError(f"time_zone ({source}): {exc}") from exc
    return name


async def serve(config: MasterConfig) -> None:
    master = Master(config)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(master.shutdown()))
    await master.run()
    logger.info("master stopped")
