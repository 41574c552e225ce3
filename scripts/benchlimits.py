"""Each headline figure's limit (the target it must meet) and peer (the figure of the same run it
is read against), and the mark that says whether it meets its limit.

Kept here, apart from the benchmarks, as data: a benchmark names its figures, this table says
what they are measured against; scripts/bench (benchall.py) adds the `peer/limit` and `mark`
columns to its one table and the same keys to its JSON. A limit is absolute (`>= 1000`) or a
ratio of the peer (`>= 1.0 x` the fires expected); the mark is `pass` or `MISS` for the median,
empty when the figure or its peer has no value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limit:
    """What figures matching `figure` (a regex, searched) of `benchmark` are read against.

    bound: ">=" or "<=" ("" = no limit, only a peer); value: the limit, absolute; or with
    `ratio`, the limit is ratio x the peer's median. peer: a regex of another figure of the same
    run, `benchmark:regex` for one of another benchmark (`*:regex`: of any)."""

    benchmark: str
    figure: str
    bound: str = ""
    value: float | None = None
    peer: str = ""
    ratio: float | None = None
    unit: str = ""


LIMITS: tuple[Limit, ...] = (
    Limit("throughput", r"^\(a\)", ">=", 1000, peer=r"^\(e\) gRPC unary", unit="tasks/s"),
    Limit("throughput", r"^\(b\) .* p99", "<=", 250, unit="ms"),
    Limit("throughput", r"^\(d\) .* low load", "<=", 20, unit="ms"),
    Limit(
        "cron",
        r"^1000 crontabs: tasks started$",
        ">=",
        peer=r"^1000 crontabs: fire times expected$",
        ratio=1.0,
    ),
    Limit("cron", r"crontabs: misfired$", "<=", 0, unit="fires"),
    Limit("cron", r"with no record", "<=", 0, unit="fires"),
    Limit("cron", r"crontabs: doubled", "<=", 0, unit="fires"),
    Limit("cron", r"^1000 crontabs: start lateness .*median", "<=", 20, unit="ms"),
    Limit("cron", r"^1000 crontabs: start lateness: p99", "<=", 100, unit="ms"),
    Limit("fanout", r"^fan-out `true` to 1000 ", "<=", 2, unit="s"),
    Limit("fanout", r"^master RSS per idle attached slave", "<=", 64, unit="KB"),
    Limit("fanout", r"^master idle CPU, \d+ attached", "<=", 5, unit="% core"),
    Limit(
        "task",
        r"^\(b\) output into the store",
        ">=",
        300,
        peer=r"^\(b\) the same bytes over a bare SlaveLink stream",
        unit="MB/s",
    ),
    Limit(
        "ssh_fanout", r"^jobfleet: echo hi over SSH", "<=", 1, peer=r"^ansible -m shell", unit="s"
    ),
    Limit("ssh_fanout", r"^ratio ansible / jobfleet", ">=", 10, unit="x"),
    Limit("store", r": \(a\) start 1 task on 10000 nodes", "<=", 200, unit="ms"),
    Limit("poll", r"^\(b\)", ">=", peer=r"^\(a\)", ratio=0.9),
)


def number(value: float) -> str:
    """As benchlib.number, without the import cycle: about four significant digits."""
    if abs(value) >= 1000 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.3g}"


def find_peer(limit: Limit, rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The first row of the run that the limit's peer names (same benchmark unless given)."""
    if not limit.peer:
        return None
    benchmark, colon, pattern = limit.peer.partition(":")
    if not colon or not re.fullmatch(r"\w+|\*", benchmark):
        benchmark, pattern = limit.benchmark, limit.peer
    for row in rows:
        if benchmark in ("*", row["benchmark"]) and re.search(pattern, row["figure"]):
            return row
    return None


def mark(value: float | None, bound: str, limit: float | None) -> str:
    """`pass` or `MISS` of `value` against `bound limit`; "" when either is missing."""
    if value is None or limit is None or not bound:
        return ""
    met = value >= limit if bound == ">=" else value <= limit
    return "pass" if met else "MISS"


def judge(row: dict[str, Any], rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The row with its `limit` (JSON), `peer` (JSON), `peer_limit` (text) and `mark`."""
    for limit in LIMITS:
        if limit.benchmark == row["benchmark"] and re.search(limit.figure, row["figure"]):
            return row | judged(limit, row, find_peer(limit, rows))
    return row | {"limit": None, "peer": None, "peer_limit": "", "mark": ""}


def judged(limit: Limit, row: dict[str, Any], peer: dict[str, Any] | None) -> dict[str, Any]:
    peer_value = peer["median"] if peer else None
    if limit.ratio is not None:
        bound_value = limit.ratio * peer_value if peer_value is not None else None
        text = f"{limit.bound} {limit.ratio:g} x peer" if limit.bound else ""
    else:
        bound_value = limit.value
        shown = (
            f"{limit.bound} {number(limit.value)} {limit.unit}" if limit.value is not None else ""
        )
        text = shown.strip() if limit.bound else ""
    cells = [text] if text else []
    if peer is not None and peer_value is not None:
        cells.append(f"peer {number(peer_value)} {peer['unit']}".rstrip())
        if row["median"] is not None and peer_value:
            cells[-1] += f" ({row['median'] / peer_value:.3g} x)"
    return {
        "limit": {"bound": limit.bound, "value": bound_value} if limit.bound else None,
        "peer": {"figure": peer["figure"], "median": peer_value} if peer else None,
        "peer_limit": "; ".join(cells),
        "mark": mark(row["median"], limit.bound, bound_value),
    }


def judge_all(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row of one run judged against its limit and peer, if it has one."""
    return [judge(row, rows) for row in rows]
