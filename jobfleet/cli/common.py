"""What every client command shares: its connection flags (one place, so each command takes
them the same way), the channel they open, and how a failure becomes a message and an exit
code."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc

from jobfleet.cli import config
from jobfleet.cli.auth import TOKEN_ENV, token_channel
from jobfleet.masters import channel_target, failover_options, parse_masters
from jobfleet.tls import CLIENT_SETTINGS, TlsError, add_client_arguments, client_tls_from

EXIT_OK = 0
EXIT_FAILED = 1
"""The task ended failed (a node failed, or an approver refused it)."""
EXIT_USAGE = 2
"""Bad input, or the request was refused (by the master, or no master could be reached); the
reason is printed."""
EXIT_OTHER = 3
"""The task was killed, or ended otherwise than success or failure."""
EXIT_INTERRUPTED = 130
"""Ctrl-C: the command stopped (a task it followed goes on)."""


class CliError(Exception):
    """Ends the command: `message` printed as `jobfleet <cmd>: message`, exit `code`."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def nested(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], name: str, **kwargs: Any
) -> argparse.ArgumentParser:
    """A subcommand of a subcommand (`jobs show`, `tokens create`) whose flags without a default
    of their own set nothing unless given: argparse copies a nested parser's defaults over what
    its parent parsed, so `jobfleet jobs --json show X` would otherwise lose --json."""
    return actions.add_parser(name, argument_default=argparse.SUPPRESS, **kwargs)


def add_common(parser: argparse.ArgumentParser, json: bool = True) -> None:
    """The connection flags (and --json unless `json` is False). Their defaults are None: an
    unset flag leaves the choice to the environment, then the config file (config.py)."""
    group = parser.add_argument_group("connection (flag > environment > config file)")
    group.add_argument(
        "--master",
        metavar="HOST:PORT[,...]",
        help="the master, or several masters of one cluster (a:7070,b:7070); a master that is "
        f"down is passed over [${config.MASTER_ENV}; default {config.DEFAULT_MASTER}]",
    )
    group.add_argument(
        "--token-file",
        metavar="FILE",
        help="file holding a token of the project (or the admin token) "
        f"[${config.TOKEN_FILE_ENV}, ${TOKEN_ENV}]",
    )
    group.add_argument(
        "--project",
        type=int,
        metavar="ID",
        help=f"project id [${config.PROJECT_ENV}; default {config.DEFAULT_PROJECT}]",
    )
    group.add_argument(
        "--config",
        metavar="PATH",
        help=f"config file [${config.CONFIG_ENV}; default "
        "$XDG_CONFIG_HOME/jobfleet/config.toml or ~/.config/jobfleet/config.toml]",
    )
    add_client_arguments(parser.add_argument_group("TLS to the master (see docs/tls.md)"))
    if json:
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")


@dataclass(frozen=True)
class Connection:
    """An open channel to the master(s) and the project the command works in."""

    channel: grpc.Channel
    project: int
    token: str


@contextmanager
def connect(args: argparse.Namespace) -> Iterator[Connection]:
    """A channel from the command's flags, environment and config file; bad settings raise
    CliError naming the flag, variable or file key."""
    try:
        settings = config.resolve(vars(args), os.environ)
    except config.ConfigError as exc:
        raise CliError(str(exc)) from None
    try:
        masters = parse_masters(settings.master)
        target = channel_target(masters)
    except (ValueError, OSError) as exc:
        raise CliError(f"--master: {exc}") from None
    environ = dict(os.environ)
    for key, (_, env) in CLIENT_SETTINGS.items():
        if key in settings.tls and not environ.get(env):
            environ[env] = settings.tls[key]
    try:
        tls = client_tls_from(vars(args), environ)
    except TlsError as exc:
        raise CliError(str(exc)) from None
    with token_channel(target, settings.token, tls, failover_options(masters)) as channel:
        yield Connection(channel, settings.project, settings.token)


def rpc_failure(exc: grpc.RpcError) -> CliError:
    """A call's failure as the command reports it: the master's own words (or grpc's, when no
    master could be reached), EXIT_USAGE."""
    return CliError(exc.details() or exc.code().name, EXIT_USAGE)
