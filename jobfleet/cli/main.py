"""`jobfleet` entry point: one parser for every subcommand, and one place that turns a failure
into `jobfleet <cmd>: <reason>` and an exit code (see common.py)."""

from __future__ import annotations

import argparse
import os
import sys

import grpc

from jobfleet.cli import catalog, completion, fleet, run, shell, submit, tasks, up
from jobfleet.cli.common import EXIT_FAILED, EXIT_INTERRUPTED, CliError, connect, rpc_failure

DESCRIPTION = """\
jobfleet command line: run commands across machines and manage the master's tasks, jobs,
crontabs, slaves and tokens. Every command takes --help. Settings come from flags, then the
environment (JOBFLEET_MASTER, JOBFLEET_TOKEN, JOBFLEET_TOKEN_FILE, JOBFLEET_PROJECT), then the
config file (~/.config/jobfleet/config.toml); see docs/cli.md.
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jobfleet", description=DESCRIPTION)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up.add_parser(sub)
    run.add_parser(sub)
    shell.add_parser(sub)
    tasks.add_parsers(sub)
    submit.add_parser(sub)
    catalog.add_parsers(sub)
    fleet.add_parsers(sub)
    completion.add_parser(sub, parser)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if getattr(args, "connects", False):
            with connect(args) as conn:
                code: int = args.func(args, conn)
        else:
            code = args.func(args)
    except CliError as exc:
        print(f"jobfleet {args.command}: {exc}", file=sys.stderr)
        return exc.code
    except grpc.RpcError as exc:
        print(f"jobfleet {args.command}: {rpc_failure(exc)}", file=sys.stderr)
        return rpc_failure(exc).code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `jobfleet tasks | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    return code


if __name__ == "__main__":
    sys.exit(main())
