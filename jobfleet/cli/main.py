"""`jobfleet` entry point: subcommands `up`, `run` and `shell`."""

from __future__ import annotations

import argparse
import sys

from jobfleet.cli import run, shell, up


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jobfleet", description="jobfleet command line")
    sub = p.add_subparsers(dest="command", required=True)
    up.add_parser(sub)
    run.add_parser(sub)
    shell.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
