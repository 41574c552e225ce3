"""scripts/bench: run the benchmarks and print their figures as one table, each headline figure
beside its peer (measured in the same run) or its limit, with a pass/MISS mark (benchlimits.py).

With no name: the headline benchmarks (HEADLINE: throughput, cron, fan-out, ingest, SSH fan-out,
10k-node start, polling), sized to finish in under 15 minutes; --all: every benchmark with its
own defaults; names: those, with their own defaults; --quick: every benchmark (or those named)
as a smoke run of a few seconds, under 2 minutes in all (scripts/test runs it).
Each runs as `bench_<name>.py --json` (plus --quick / --repeat as given), one after the other:
at the same time they would disturb each other's figures. A benchmark that fails or outlives
--timeout (default with --quick: 120 s each) is reported and the exit status is 1; a MISS is
not a failure (the limits are targets).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import table
from benchlimits import judge_all

SCRIPTS = Path(__file__).resolve().parent
NAMES = sorted(p.stem.removeprefix("bench_") for p in SCRIPTS.glob("bench_*.py"))
QUICK_TIMEOUT = 120.0
HEADLINE: dict[str, list[str]] = {
    "throughput": [],
    "cron": ["--drain", "60"],
    "fanout": ["--sizes", "100,1000", "--idle-seconds", "10"],
    "task": [],
    "ssh_fanout": ["--repeat", "2"],
    "store": [],
    "poll": ["--repeat", "1"],
}
"""The headline benchmarks, in order, and the flags that keep the whole run under 15 minutes."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    p.add_argument(
        "names", nargs="*", metavar="NAME", help=f"of {', '.join(NAMES)} (default: HEADLINE)"
    )
    p.add_argument("--repeat", type=int, metavar="N", help="passed on: each measurement N times")
    p.add_argument("--quick", action="store_true", help="passed on: a small smoke run of each")
    p.add_argument("--all", action="store_true", help="every benchmark, with its own defaults")
    p.add_argument("--table", metavar="JSON", help="print a saved --json output as the table")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--timeout", type=float, help="seconds each may take (default: none or 120)")
    p.add_argument("--quiet", action="store_true", help="a benchmark's stderr only if it fails")
    return p


def chosen(args: argparse.Namespace) -> dict[str, list[str]]:
    """The benchmarks to run, each with its extra flags."""
    if args.names or args.all or args.quick:
        return {name: [] for name in args.names or NAMES}
    return dict(HEADLINE)


def run(name: str, extra: list[str], args: argparse.Namespace) -> tuple[list[dict[str, Any]], str]:
    """The figures of one benchmark, and why it failed ("" when it did not)."""
    command = [sys.executable, str(SCRIPTS / f"bench_{name}.py"), "--json", *extra]
    command += ["--quick"] * args.quick + (["--repeat", str(args.repeat)] if args.repeat else [])
    timeout = args.timeout or (QUICK_TIMEOUT if args.quick else None)
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=errors if args.quiet else None,
            text=True,
            start_new_session=True,  # its daemons with it, in a group of their own
        )
        why = wait(proc, timeout)
        if why and args.quiet:
            errors.seek(0)
            sys.stderr.write("".join(errors.readlines()[-40:]))
        assert proc.stdout is not None
        out = proc.stdout.read()
    if why:
        return [], why
    try:
        return list(json.loads(out)), ""
    except ValueError:
        return [], f"no JSON on stdout: {out[-200:]!r}"


def wait(proc: subprocess.Popen[str], timeout: float | None) -> str:
    """Wait for the benchmark; on timeout or Ctrl-C interrupt it (its clean-up runs), then kill
    its process group. Why it failed, or ""."""
    try:
        code = proc.wait(timeout)
    except (subprocess.TimeoutExpired, KeyboardInterrupt) as stop:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if isinstance(stop, KeyboardInterrupt):
            raise
        return f"still running after {timeout:g} s"
    return f"exit status {code}" if code else ""


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.table:
        with open(args.table) as saved:
            print(table(judge_all(json.load(saved))))
        return 0
    unknown = sorted(set(args.names) - set(NAMES))
    if unknown:
        parser().error(f"no benchmark {', '.join(unknown)}; known: {', '.join(NAMES)}")
    figures: list[dict[str, Any]] = []
    failed = []
    for name, extra in chosen(args).items():
        print(f"== bench_{name}.py {' '.join(extra)}".rstrip(), file=sys.stderr, flush=True)
        began = time.monotonic()
        got, why = run(name, extra, args)
        print(f"== bench_{name}.py: {time.monotonic() - began:.0f} s", file=sys.stderr, flush=True)
        figures += got
        if why:
            failed.append(name)
            print(f"bench_{name}.py failed: {why}", file=sys.stderr, flush=True)
            figures.append(failure(name, why))
    figures = judge_all(figures)
    print(json.dumps(figures) if args.json else table(figures))
    return 1 if failed else 0


def failure(name: str, why: str) -> dict[str, Any]:
    """A table row saying that a benchmark failed."""
    stats = dict.fromkeys(("median", "p90", "min", "max"))
    return {"benchmark": name, "figure": "FAILED", "unit": "", **stats, "n": 0, "note": why}


if __name__ == "__main__":
    sys.exit(main())
