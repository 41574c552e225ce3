"""jobfleet-slave: attach to a master and run what it sends.

Exit codes: 0 stopped (SIGTERM/SIGINT), 1 failed, 2 bad flag or setting.
Signals: the first SIGTERM/SIGINT is a warm stop (no new runs; running executions may finish
within --shutdown-grace; unacked output is flushed); a second one kills the process groups.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.config
import os
import signal
import sys

from jobfleet.heap import keep_freed_memory
from jobfleet.logs import skip_caller_lookup
from jobfleet.tls import add_client_arguments
from slave import __version__
from slave.commands.scope import Scope, default_accounts
from slave.config import ConfigError, SlaveConfig, load_config
from slave.daemon import Slave
from slave.fleet import MAX_FLEET, Fleet
from slave.fleetprocs import MAX_FLEET_PROCS, fleet_parts, run_processes
from slave.hardening import harden
from slave.logs import default_log_config

logger = logging.getLogger(__name__)

RET_OK, RET_FAILED, RET_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobfleet-slave",
        description="Attach to a jobfleet master and run the commands it sends.",
        epilog="Exit codes: 0 stopped by a signal, 1 failed, 2 bad flag or setting.",
    )
    parser.add_argument(
        "--master",
        metavar="HOST:PORT[,...]",
        help="master to dial, or a comma list of masters sharing one database: the slave "
        "attaches to one and moves to the next when it fails (env JOBFLEET_MASTER; required)",
    )
    parser.add_argument(
        "--name", help="name to attach as (env JOBFLEET_SLAVE_NAME; default: the host name)"
    )
    parser.add_argument(
        "--kill-grace", metavar="SECONDS", help="SIGTERM to SIGKILL delay on kill (default 5)"
    )
    parser.add_argument(
        "--max-unacked-bytes",
        metavar="BYTES",
        help="unacked output kept before commands are paused, e.g. 64M (default 64M)",
    )
    parser.add_argument(
        "--work-dir", metavar="DIR", help="where scripts are written (default: a temp dir in /tmp)"
    )
    parser.add_argument(
        "--shutdown-grace",
        metavar="SECONDS",
        help="on stop, how long running executions may finish before being killed (default 60)",
    )
    parser.add_argument(
        "--cgroups",
        choices=["auto", "off"],
        help="auto: each run in a cgroup v2 of its own where the slave may create one, so kill "
        "ends every process it started; off: process groups and the run mark only "
        "(env JOBFLEET_SLAVE_CGROUPS; default auto)",
    )
    parser.add_argument(
        "--join-token-file",
        metavar="FILE",
        help="enrols this slave: the master's join token, or a project token (then it serves "
        "that project only); a private file (env JOBFLEET_JOIN_TOKEN)",
    )
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        help="where this slave keeps the credential its enrolment gave it "
        "(env JOBFLEET_SLAVE_STATE_DIR; default ~/.local/state/jobfleet-slave)",
    )
    parser.add_argument(
        "--run-as",
        metavar="ACCOUNTS",
        help="comma list of accounts commands may run as; the first is the default for steps "
        "naming none; root only when listed (env JOBFLEET_SLAVE_RUN_AS; default: this "
        "slave's own account, or nobody when the slave runs as root)",
    )
    parser.add_argument(
        "--projects",
        metavar="IDS",
        help="comma list of the project ids whose work this slave takes, or all "
        "(env JOBFLEET_SLAVE_PROJECTS; default all that its enrolment allows)",
    )
    add_client_arguments(parser.add_argument_group("TLS to the master (see docs/tls.md)"))
    ssh = parser.add_argument_group("SSH (nodes without a slave; see docs/ssh.md)")
    ssh.add_argument(
        "--max-ssh-sessions",
        metavar="N",
        help="SSH executions at once; more wait their turn "
        "(env JOBFLEET_SLAVE_MAX_SSH_SESSIONS; default 64)",
    )
    ssh.add_argument(
        "--ssh-host-key-policy",
        choices=["strict", "accept-new"],
        help="unknown host keys: refuse, or record and go on; a changed key is always refused "
        "(env JOBFLEET_SLAVE_SSH_HOST_KEY_POLICY; default accept-new)",
    )
    ssh.add_argument(
        "--ssh-known-hosts",
        metavar="FILE",
        help="known_hosts file to check and record host keys in "
        "(env JOBFLEET_SLAVE_SSH_KNOWN_HOSTS; default ~/.ssh/known_hosts)",
    )
    ssh.add_argument(
        "--ssh-idle-timeout",
        metavar="SECONDS",
        help="close a pooled SSH connection unused this long "
        "(env JOBFLEET_SLAVE_SSH_IDLE_TIMEOUT; default 60)",
    )
    bench = parser.add_argument_group("benchmarks and tests only")
    bench.add_argument(
        "--fleet",
        metavar="N",
        type=fleet_size,
        help="run N slave identities in this one process, named --name followed by 1..N "
        "(zero-padded), each with its own credential, work dir <work-dir>/<name> and stream; "
        "cgroups off. For benchmarks and tests: one crash detaches them all (docs/fleet.md)",
    )
    bench.add_argument(
        "--fleet-procs",
        metavar="K",
        type=fleet_procs,
        default=1,
        help="with --fleet: spread the N identities over K processes (same names), so their "
        "commands run on several cores as real slaves' do on their own machines (default 1)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def fleet_size(raw: str) -> int:
    """--fleet's value: 1 to MAX_FLEET identities."""
    try:
        count = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if not 1 <= count <= MAX_FLEET:
        raise argparse.ArgumentTypeError(f"{count} is not 1 to {MAX_FLEET}")
    return count


def fleet_procs(raw: str) -> int:
    """--fleet-procs's value: 1 to MAX_FLEET_PROCS processes."""
    try:
        count = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if not 1 <= count <= MAX_FLEET_PROCS:
        raise argparse.ArgumentTypeError(f"{count} is not 1 to {MAX_FLEET_PROCS}")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse already printed
        return exc.code if isinstance(exc.code, int) else RET_USAGE
    if args.fleet_procs > 1 and not args.fleet:
        print(f"{parser.prog}: error: --fleet-procs needs --fleet", file=sys.stderr)
        return RET_USAGE
    try:
        config = load_config(vars(args), os.environ)
    except ConfigError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return RET_USAGE
    harden()
    logging.config.dictConfig(default_log_config(args.verbose))
    skip_caller_lookup()
    problems = Scope(default_accounts(config.run_as), config.projects).problems()
    if problems:
        print(f"{parser.prog}: error: {problems[0]}", file=sys.stderr)
        return RET_USAGE
    keep_freed_memory()  # output chunks are copied without page faults (jobfleet/heap.py)
    if args.fleet and args.fleet_procs > 1:
        parts = fleet_parts(args.fleet, args.fleet_procs)
        return run_processes(parts, lambda part: run(config, args.fleet, part))
    return run(config, args.fleet or 0)


def run(config: SlaveConfig, fleet: int = 0, part: range | None = None) -> int:
    """Serve on an event loop of this process until stopped; the exit code."""
    try:
        asyncio.run(serve(config, fleet, part))
    except Exception:
        logger.exception("slave %s failed", config.name)
        return RET_FAILED
    return RET_OK


async def serve(config: SlaveConfig, fleet: int = 0, part: range | None = None) -> None:
    """Run a slave (or a fleet of `fleet` identities, or the `part` of them this process runs)
    until signals stop it: warm on the first, forced on the second."""
    slave: Slave | Fleet = Fleet(config, fleet, part) if fleet else Slave(config)
    loop = asyncio.get_running_loop()
    pending: set[asyncio.Task[None]] = set()

    def on_signal(sig: signal.Signals) -> None:
        force = bool(pending)
        if force:
            logger.warning("%s again: killing running executions and leaving", sig.name)
        else:
            logger.info("%s: stopping (running executions may finish; again to force)", sig.name)
        task = loop.create_task(slave.shutdown(force=force))
        pending.add(task)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
    how = "plaintext" if config.tls is None else "TLS"
    what = f"fleet of {fleet} slaves named {config.name}*" if fleet else f"slave {config.name}"
    logger.info("%s attaching to %s (%s)", what, config.master, how)
    try:
        await slave.run()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await asyncio.gather(*pending, return_exceptions=True)
