"""The shell lines a node runs: a wrapper that starts the script in its own process group, and
the kill of that group. POSIX sh (run as `exec sh -c ...` whatever the login shell is); every
value is shlex.quote'd.

The wrapper reads the script from stdin into a private temp file (umask 077, mode 0700,
removed when the wrapper exits), then runs `setsid sh -c ...`, which makes a new session (so a
new process group), reports its pid (= the group id) on the channel's stderr, and execs the
interpreter with the channel's stdout and stderr as its own. On the channel's stderr, the
wrapper's marked lines come first and end with the pid line; all that follows is the script's.
"""

from __future__ import annotations

import math
import re
import shlex

from slave.commands.process import INTERPRETERS
from slave.messages import RunRequest

PGID_MARK = "jobfleet-pgid "
ERROR_MARK = "jobfleet-error "
START_FAILED = 125
"""The wrapper's exit code when the script never started (ERROR_MARK says why)."""
SIGKILL_MARK = "sigkill"
KILL_POLL = 0.05

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_WRAPPER = """\
umask 077
fail() {{ echo "jobfleet-error $*" >&2; exit 125; }}
f=$(mktemp "${{TMPDIR:-/tmp}}/jobfleet-exec-{eid}-XXXXXXXX") || fail cannot create a temp file
trap 'rm -f "$f"' EXIT
trap 'exit 129' HUP
cat >"$f" || fail cannot write the script to "$f"
[ "$(wc -c <"$f")" -eq {size} ] || fail the script arrived incomplete
chmod 700 "$f"
s=$(command -v setsid) || fail cannot start: setsid is missing on this machine
e=$(command -v env) || fail cannot start: env is missing on this machine
({exports}command -v "$1" >/dev/null 2>&1) || fail cannot start "$1": not found
i=$1
shift
"$s" "$e" {assignments} /bin/sh -c 'echo "jobfleet-pgid $$" >&2; exec "$@" </dev/null' \\
  jobfleet "$i" "$f" "$@"
r=$?
exit $r
"""
"""The request's environment reaches the script (and the interpreter's lookup) only: the
wrapper's own clean-up keeps the login's PATH."""

_KILL = """\
pg={pgid}
n={ticks}
alive() {{
  kill -0 -$pg 2>/dev/null || return 1
  [ -r /proc/self/stat ] || return 0
  for s in /proc/[0-9]*/stat; do
    read -r l <"$s" 2>/dev/null || continue
    set -- ${{l##*) }}
    [ "$3" = "$pg" ] && [ "$1" != Z ] && return 0
  done
  return 1
}}
kill -{signal} -$pg 2>/dev/null || exit 0
while alive; do
  if [ "$n" -le 0 ]; then kill -KILL -$pg 2>/dev/null; echo sigkill; exit 0; fi
  n=$((n - 1))
  sleep {poll} 2>/dev/null || sleep 1
done
"""
"""Signal the group, wait for its last running member (zombies do not count: an init that
does not reap must not make us wait), SIGKILL it after the grace."""


def run_line(request: RunRequest, size: int) -> str:
    """The exec request for a run; the script itself (`size` bytes) goes to the channel's
    stdin, and runs only if all of it arrived."""
    if request.script_type is None:
        raise ValueError("cannot start: unknown script type")
    env = {**request.env, "JOBFLEET_EXECUTION_ID": str(request.execution_id)}
    bad = sorted(name for name in env if not _NAME.fullmatch(name))
    if bad:
        raise ValueError(f"cannot start: bad environment variable name {bad[0]!r}")
    exports = "".join(f"export {name}={shlex.quote(value)}; " for name, value in env.items())
    assignments = " ".join(shlex.quote(f"{name}={value}") for name, value in env.items())
    wrapper = _WRAPPER.format(
        eid=request.execution_id, size=int(size), exports=exports, assignments=assignments
    )
    argv = [INTERPRETERS[request.script_type], *request.args]
    return sh_line(wrapper, f"jobfleet-exec-{request.execution_id}", argv)


def kill_line(pgid: int, grace: float, signal: str = "TERM") -> str:
    """End process group `pgid`: `signal`, then SIGKILL after `grace` s; prints "sigkill"
    when it had to."""
    ticks = max(0, math.ceil(grace / KILL_POLL))
    script = _KILL.format(pgid=int(pgid), ticks=ticks, signal=signal, poll=KILL_POLL)
    return sh_line(script, "jobfleet-kill")


def sh_line(script: str, name: str, argv: list[str] | None = None) -> str:
    """An exec request that runs `script` under POSIX sh whatever the login shell is, with
    `name` as $0 and `argv` as "$@" (every word quoted)."""
    words = ["exec", "sh", "-c", script, name, *(argv or [])]
    return " ".join(shlex.quote(word) for word in words)
