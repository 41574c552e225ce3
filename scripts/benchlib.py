"""What every benchmark shares: its flags, its figures and the one table they are printed in.

Each `scripts/bench_<what>.py` builds its parser with `parser()`, so all take
  --repeat N  how many times each measurement is repeated (default: the measurement's own count,
              listed in the benchmark's --help); the median of the repetitions is reported
  --json      the figures as JSON on stdout (a list of objects), instead of the table
  --quick     a small smoke run of a few seconds: every measurement once or a few times, on
              small sizes; the figures only show that the benchmark still works
and reports through `Figures.emit()`. Daemons, REST calls and the test sshd: benchfleet.py.
`scripts/bench` runs several benchmarks and prints their figures as one table (benchall.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


def parser(doc: str | None) -> argparse.ArgumentParser:
    """An argument parser with the shared flags; the docstring is the --help text."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--repeat",
        type=int,
        metavar="N",
        help="repeat each measurement N times (default: its own count, above); medians reported",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--quick", action="store_true", help="a small smoke run of a few seconds")
    return p


def parse(
    p: argparse.ArgumentParser, quick: dict[str, Any], argv: Sequence[str] | None = None
) -> argparse.Namespace:
    """The arguments; with --quick, the sizes in `quick` replace the defaults (not flags given)."""
    args = p.parse_args(argv)
    if args.quick:
        p.set_defaults(**quick)
        args = p.parse_args(argv)
    return args


def repeat(args: argparse.Namespace, full: int, quick: int = 1) -> int:
    """How many times to repeat one measurement: --repeat, else its quick or full count."""
    if args.repeat is not None:
        return max(1, int(args.repeat))
    return quick if args.quick else full


def seconds(run: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    began = time.perf_counter()
    run()
    return time.perf_counter() - began


async def seconds_async(run: Callable[[], Awaitable[object]]) -> float:
    """Wall seconds of one awaited call."""
    began = time.perf_counter()
    await run()
    return time.perf_counter() - began


def progress(text: str) -> None:
    """A line for the person waiting (stderr: stdout holds the figures)."""
    print(text, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Figure:
    """One measured quantity: the value of each repetition, its unit, a note on its context."""

    benchmark: str
    name: str
    unit: str
    samples: tuple[float, ...]
    note: str = ""

    def stats(self) -> dict[str, float | None]:
        values = sorted(self.samples)
        if not values:
            return {"median": None, "p90": None, "min": None, "max": None}
        p90 = values[max(0, int(len(values) * 0.9) - 1)]
        return {
            "median": statistics.median(values),
            "p90": p90,
            "min": values[0],
            "max": values[-1],
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "figure": self.name,
            "unit": self.unit,
            **self.stats(),
            "n": len(self.samples),
            "samples": list(self.samples),
            "note": self.note,
        }


@dataclass
class Figures:
    """The figures of one benchmark run, in the order they were measured."""

    benchmark: str
    items: list[Figure] = field(default_factory=list)

    def add(self, name: str, unit: str, samples: Iterable[float], note: str = "") -> None:
        figure = Figure(self.benchmark, name, unit, tuple(samples), note)
        self.items.append(figure)
        median = figure.stats()["median"]
        progress(f"{self.benchmark}: {name}: {number(median)} {unit} {note}".rstrip())

    def emit(self, as_json: bool) -> None:
        """The figures on stdout: JSON or the table."""
        print(json.dumps([f.as_json() for f in self.items]) if as_json else table(self.items))


COLUMNS = ("median", "p90", "min", "max")


def number(value: float | None) -> str:
    """About four significant digits, no exponent: 0.043, 3.33, 40.9, 153, 60,000."""
    if value is None:
        return "-"
    size = abs(value)
    if size >= 1000 or value == int(value):
        return f"{value:,.0f}"
    if size >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if size >= 10 else f"{value:.2f}" if size >= 1 else f"{value:.3f}"


def table(figures: Sequence[Figure | dict[str, Any]]) -> str:
    """One line per figure: benchmark, figure, median, p90, min, max, n, unit, note; with the
    columns peer/limit and mark after the unit when the rows were judged (benchlimits.py)."""
    rows = [f.as_json() if isinstance(f, Figure) else f for f in figures]
    judged = any("mark" in r for r in rows)
    extra = ["peer/limit", "mark"] if judged else []
    head = ["benchmark", "figure", *COLUMNS, "n", "unit", *extra, "note"]
    cells = [
        [r["benchmark"], r["figure"], *(number(r[c]) for c in COLUMNS), str(r["n"]), r["unit"]]
        + ([r.get("peer_limit", ""), r.get("mark", "")] if judged else [])
        + [r["note"]]
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [head, *cells]) for i in range(len(head) - 1)]
    numbers = range(2, 2 + len(COLUMNS) + 1)  # right-aligned: the figures and n
    lines = []
    for line in [head, *cells]:
        padded = [
            line[i].rjust(widths[i]) if i in numbers else line[i].ljust(widths[i])
            for i in range(len(head) - 1)
        ]
        lines.append("  ".join([*padded, line[-1]]).rstrip())
    return "\n".join(lines)
