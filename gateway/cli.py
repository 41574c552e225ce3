"""jobfleet-gateway: serve the REST routes on HOST:PORT, calling the master over gRPC.

Exit codes: 0 stopped cleanly (SIGTERM/SIGINT), 1 could not listen or start, 2 bad usage or
configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.config
import os
import signal
from typing import Any

from gateway.config import (
    LISTEN_ENV,
    MASTER_ENV,
    MAX_UPLOAD_ENV,
    SESSION_COOKIE_ENV,
    ConfigError,
    GatewayConfig,
    load_config,
)
from gateway.server import Gateway, bind
from jobfleet.logs import formatter
from jobfleet.tls import CLIENT_SETTINGS, add_client_arguments

logger = logging.getLogger("gateway")

RET_OK = 0
RET_FAILED = 1
RET_USAGE = 2


def default_log_config(verbose: bool) -> dict[str, Any]:
    """Lines on stderr; -v adds DEBUG and uvicorn's per-request access lines."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "root": {"handlers": ["stderr"], "level": "DEBUG" if verbose else "INFO"},
        "loggers": {"uvicorn.access": {"level": "INFO" if verbose else "WARNING"}},
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobfleet-gateway", description="Serve the REST routes, calling the master over gRPC."
    )
    parser.add_argument(
        "--master",
        metavar="HOST:PORT[,...]",
        help="master gRPC address, or a comma list of masters sharing one database: each call "
        f"goes to one that answers (${MASTER_ENV})",
    )
    parser.add_argument(
        "--listen", metavar="HOST:PORT", help=f"REST address, port 0 = any free (${LISTEN_ENV})"
    )
    parser.add_argument(
        "--max-upload-bytes",
        metavar="N",
        help=f"largest file accepted by the file server uploads, default 1 GiB (${MAX_UPLOAD_ENV})",
    )
    parser.add_argument(
        "--session-cookie",
        metavar="NAME",
        help="the browser cookie whose value is taken as a token, after the `Authorization` "
        f"and `appkey` headers; default sid (${SESSION_COOKIE_ENV})",
    )
    parser.add_argument("--ready-file", metavar="PATH", help='write {"listen": ...} once listening')
    add_client_arguments(parser.add_argument_group("TLS to the master (see docs/tls.md)"))
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.config.dictConfig(default_log_config(args.verbose))
    try:
        config = load_config(
            os.environ,
            master=args.master,
            listen=args.listen,
            ready_file=args.ready_file,
            max_upload_bytes=args.max_upload_bytes,
            session_cookie=args.session_cookie,
            tls_flags={key: getattr(args, key) for key in CLIENT_SETTINGS},
        )
    except ConfigError as exc:
        logger.error("bad configuration: %s", exc)
        return RET_USAGE
    return asyncio.run(_serve(config))


async def _serve(config: GatewayConfig) -> int:
    try:
        sock = bind(config.listen_host, config.listen_port)
    except OSError as exc:
        logger.error("cannot listen on %s: %s", config.listen, exc.strerror or exc)
        return RET_FAILED
    gateway = Gateway(config, sock)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, gateway.request_stop)
    try:
        await gateway.run()
    except RuntimeError as exc:
        logger.error("%s", exc)
        return RET_FAILED
    return RET_OK
