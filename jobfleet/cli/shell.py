"""`jobfleet shell`: a terminal on machines of a project, through the master's TerminalService.

One machine: its shell in this terminal (SHELL mode, shell_session.py). Several machines, a
group or --lines: a prompt whose every line runs on all of them (LINES mode, lines_session.py).
The connection flags are every client command's (common.py).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from jobfleet.cli.common import CliError, Connection, add_common
from jobfleet.cli.lines_session import run_lines
from jobfleet.cli.shell_session import local_size, run_shell
from jobfleet.cli.terminal_stream import TerminalRefused, TerminalStream
from jobfleet.v1 import terminal_pb2

DESCRIPTION = """\
Open a terminal on machines of a project (their slave runs it, or reaches them over SSH).

One NODE: a real shell there (a pty: full-screen programs and resizing work); this terminal is
in raw mode until the shell exits, and the command exits with the shell's exit code (255 when
the session ended otherwise: idle timeout, slave gone, ...; the reason is printed).

Several NODEs, --group or --lines: line mode. Each line typed at the `ACCOUNT (N)sh#` prompt
runs on every machine (as a task of the project); each machine's output is shown prefixed
with its name as it arrives, then one summary line of exit codes per status. Ctrl-C stops the
running line on every machine; at the prompt, Ctrl-C, `exit`, `quit` or end of input leave.

Every session and line is written to the project's terminal log (input typed while the
terminal does not echo, such as passwords, never is).
"""

EPILOG = """\
exit status: SHELL mode: the remote shell's, or 255; line mode: 0 when you left, 1 when the
master ended the session; 2: refused (the reason is printed).
examples:
  jobfleet shell web1
  jobfleet shell --user deploy web1
  jobfleet shell web1,web2,db1
  jobfleet shell --group 3
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "shell",
        help="open a shell on a machine, or run lines on several",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("nodes", nargs="?", default="", metavar="NODE[,NODE...]", help="machines")
    p.add_argument("--group", type=int, default=0, metavar="ID", help="a node group of the project")
    p.add_argument("--user", default="", metavar="ACCOUNT", help="execution account to run as")
    p.add_argument("--lines", action="store_true", help="line mode even on one machine")
    add_common(p, json=False)
    p.set_defaults(func=run, connects=True)


def node_names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def open_request(
    args: argparse.Namespace, project: int, nodes: list[str]
) -> terminal_pb2.TerminalOpen:
    """What to open: SHELL on one node unless --lines or a group; the local terminal's size."""
    lines = args.lines or args.group or len(nodes) != 1
    cols, rows = local_size(sys.stdin.fileno())
    return terminal_pb2.TerminalOpen(
        project_id=project,
        nodes=nodes,
        group_id=args.group,
        user=args.user,
        mode=terminal_pb2.TERMINAL_MODE_LINES if lines else terminal_pb2.TERMINAL_MODE_SHELL,
        size=terminal_pb2.TerminalSize(cols=cols, rows=rows),
        term=os.environ.get("TERM", ""),
        actor=getpass.getuser(),
    )


def run(args: argparse.Namespace, conn: Connection) -> int:
    nodes = node_names(args.nodes)
    if not nodes and not args.group:
        raise CliError("name a NODE (or several, comma-separated), or --group")
    try:
        stream = TerminalStream(conn.channel, open_request(args, conn.project, nodes))
    except TerminalRefused as exc:
        raise CliError(f"refused: {exc}") from None
    if stream.opened.mode == terminal_pb2.TERMINAL_MODE_SHELL:
        return run_shell(stream)
    return run_lines(stream)
