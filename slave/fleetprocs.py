"""A fleet spread over several processes (`--fleet N --fleet-procs K`), benchmarks and tests only.

One fleet process runs every identity's commands on one core, where real slaves run theirs on
machines of their own: with a thousand identities that one core, not the master, bounds a
fan-out. `--fleet-procs K` forks K processes before any event loop or channel exists, each
running a contiguous share of the same names (f0001..f0500 and f0501..f1000 for K=2), so the
identities are the ones `--fleet N` alone attaches. The first process stays as their parent:
it forwards SIGTERM/SIGINT to them (each child is a process group of its own, so a terminal's
Ctrl-C arrives once), waits for them all, and exits with the worst exit code.
Each child asks the kernel for SIGKILL when its parent dies, so a SIGKILLed fleet detaches all
of its identities at once, as a single fleet process does.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
from collections.abc import Callable
from types import FrameType

logger = logging.getLogger(__name__)

MAX_FLEET_PROCS = 64
PR_SET_PDEATHSIG = 1
FORWARDED = (signal.SIGTERM, signal.SIGINT)


def fleet_parts(count: int, procs: int) -> list[range]:
    """The name indices each process runs: 0..count split into `procs` near-equal ranges (never
    more ranges than identities)."""
    procs = max(1, min(procs, count))
    return [range(i * count // procs, (i + 1) * count // procs) for i in range(procs)]


def run_processes(parts: list[range], serve_part: Callable[[range], int]) -> int:
    """Fork a child per part that runs `serve_part(part)` and exits with its code; forward
    stopping signals to the children; once all have exited, the worst of their exit codes."""
    parent = os.getpid()
    children: list[int] = []
    for part in parts:
        pid = os.fork()
        if pid == 0:
            os._exit(_child(parent, part, serve_part))
        children.append(pid)
    logger.info("fleet: %d processes %s", len(children), children)
    return _wait_all(children)


def _child(parent: int, part: range, serve_part: Callable[[range], int]) -> int:
    """In a forked child: die with the parent, then serve the part (any escape is exit 1).
    Its own process group: a terminal's Ctrl-C reaches the parent alone, which passes it on
    once (twice would be the forced stop)."""
    try:
        os.setpgid(0, 0)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            return 1
        return serve_part(part)
    except BaseException:
        logger.exception("fleet process for identities %d..%d failed", part.start, part.stop)
        return 1


def _wait_all(children: list[int]) -> int:
    """Wait for every child, passing SIGTERM/SIGINT on to those still running."""
    running = set(children)

    def forward(signum: int, _frame: FrameType | None) -> None:
        for pid in running:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    worst = 0
    try:
        while running:
            pid, status = os.waitpid(-1, 0)
            if pid in running:
                running.discard(pid)
                code = os.waitstatus_to_exitcode(status)
                worst = max(worst, code if code >= 0 else 1)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return worst
