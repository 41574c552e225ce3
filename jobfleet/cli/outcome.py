"""A followed task's end as the command's exit code, and the follow itself as `run`, `tail`
and `submit --follow` share it."""

from __future__ import annotations

import argparse
import json
import sys

from jobfleet.cli.common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_OTHER, Connection
from jobfleet.cli.live import JsonLinesView, TextView, View, follow_task
from jobfleet.cli.progress import Progress, expected_executions
from jobfleet.cli.render import TASK_WORD, as_json, colour_on, status
from jobfleet.v1 import common_pb2

EXIT_OF_STATUS: dict[int, int] = {
    common_pb2.TASK_STATUS_SUCCESS: EXIT_OK,
    common_pb2.TASK_STATUS_FAIL: EXIT_FAILED,
    common_pb2.TASK_STATUS_REFUSE: EXIT_FAILED,
}
"""Every other end (killed, or a follow that ended before the task did) is EXIT_OTHER."""


def exit_code(task_status: int) -> int:
    return EXIT_OF_STATUS.get(int(task_status), EXIT_OTHER)


def follow_to_end(conn: Connection, task: common_pb2.Task, args: argparse.Namespace) -> int:
    """Follow `task` until it ends, printing as `args.json` asks; the exit code of its end.
    Ctrl-C leaves the task running and exits 130."""
    view: View
    if args.json:
        view = JsonLinesView(sys.stdout)
    else:
        progress = Progress(expected_executions(task)) if sys.stderr.isatty() else None
        view = TextView(sys.stdout, sys.stderr, progress)
    try:
        final = follow_task(conn.channel, task.uuid, conn.project, view)
    except KeyboardInterrupt:
        print(f"\ntask {task.uuid} goes on; `jobfleet kill {task.uuid}` stops it", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.json:
        print(json.dumps({"task": as_json(final)}), flush=True)
    else:
        word = TASK_WORD[final.status]
        reason = f" ({final.reason})" if final.reason else ""
        shown = status(word, colour_on(sys.stderr))
        print(f"task {task.uuid}: {shown}{reason}", file=sys.stderr)
    return exit_code(final.status)
