"""`jobfleet completion bash|zsh`: the shell's completion script, made by shtab from the
command's own parser (so it knows every command and flag there is)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import shtab

SHELLS = ("bash", "zsh")


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    whole: Callable[[], argparse.ArgumentParser],
) -> None:
    p = sub.add_parser(
        "completion",
        help="print the completion script for bash or zsh",
        description="Print a completion script. bash: `jobfleet completion bash > "
        "~/.local/share/bash-completion/completions/jobfleet`; zsh: `jobfleet completion zsh > "
        "~/.zfunc/_jobfleet` with ~/.zfunc in $fpath before `compinit`.",
    )
    p.add_argument("shell", choices=SHELLS)
    p.set_defaults(func=lambda args: print_script(whole(), args.shell))


def print_script(parser: argparse.ArgumentParser, shell: str) -> int:
    print(shtab.complete(parser, shell=shell))
    return 0
