#!/usr/bin/env python3
"""The top functions of a py-spy profile: `py-spy record -f raw` output (folded stacks, root
first, one `frame;frame;... count` a line) as tables: by own samples (the function was the
innermost frame), by total samples (anywhere on the stack, counted once per stack) and own
samples by file (peewee.py, asyncio/events.py, ...), in % of all samples. Recorded with --gil,
every sample is one in which the GIL was held: what the process spent its one core on.
Usage: .venv/bin/python scripts/pyspy_top.py PROFILE.raw [--top 10]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import dataclass

SCAFFOLD = frozenset(
    {
        "<module>",
        "main",
        "run",
        "_run",
        "_run_once",
        "run_forever",
        "run_until_complete",
        "_bootstrap",
        "_bootstrap_inner",
        "_worker",
        "_run_code",
        "_run_module_as_main",
    }
)
"""Entry frames on (nearly) every stack, left out of the total table: they say nothing."""

FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def function_name(frame: str) -> str:
    """`tasks.get (master/store/tasks.py:40)` -> `get (master/store/tasks.py)`: the function
    and its file, short (from the package root or site-packages on), without the line."""
    found = FRAME.match(frame.strip())
    if not found:
        return frame.strip()
    path = found["file"]
    for root in ("site-packages/", "/lib/python3", "/master/", "/slave/", "/jobfleet/"):
        if root in path:
            tail = path.split(root, 1)[1]
            path = tail if root == "site-packages/" else root.strip("/") + "/" + tail
            break
    return f"{found['function']} ({path})"


@dataclass(frozen=True)
class Profile:
    """Samples by function: as the innermost frame (own) and anywhere on the stack (total)."""

    samples: int
    own: Counter[str]
    total: Counter[str]


def fold(raw: str) -> Profile:
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in raw.splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        names = [function_name(f) for f in stack.split(";") if f]
        if not names:
            continue
        samples += int(count)
        own[names[-1]] += int(count)
        for name in set(names):
            if name.split(" (")[0].rpartition(".")[2] not in SCAFFOLD:
                total[name] += int(count)
    return Profile(samples, own, total)


def top_table(title: str, counts: Counter[str], samples: int, top: int) -> str:
    lines = [f"{title} ({samples} samples)", f"{'%':>6}  {'samples':>7}  function (file)"]
    for name, count in counts.most_common(top):
        lines.append(f"{count / max(samples, 1):6.1%}  {count:7d}  {name}")
    return "\n".join(lines)


def report(raw: str, top: int = 10) -> str:
    """Both tables, as text."""
    profile = fold(raw)
    own = top_table("top by own GIL-holding samples", profile.own, profile.samples, top)
    total = top_table("top by total GIL-holding samples", profile.total, profile.samples, top)
    files: Counter[str] = Counter()
    for name, count in profile.own.items():
        files[name.rpartition(" (")[2].rstrip(")") or name] += count
    by_file = top_table("own GIL-holding samples by file", files, profile.samples, top)
    return f"{own}\n\n{total}\n\n{by_file}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("profile", help="py-spy record -f raw output")
    p.add_argument("--top", type=int, default=10)
    args = p.parse_args()
    with open(args.profile) as raw:
        print(report(raw.read(), args.top))


if __name__ == "__main__":
    main()
