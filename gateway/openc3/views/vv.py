"""OpenC3's view of version variables: rows, the node x name table, and each version's share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gateway.openc3.views.tasks import format_time
from jobfleet.v1 import vv_pb2

TABLE_HEAD = "NODE"


def variable_row(v: vv_pb2.VersionVariable) -> dict[str, Any]:
    return {
        "id": v.id,
        "node": v.node,
        "name": v.name,
        "value": v.value,
        "update_time": format_time(v, "update_time"),
    }


def table(variables: Iterable[vv_pb2.VersionVariable]) -> list[list[str | None]]:
    """`["NODE", <names sorted>...]`, then one row per node (sorted): its value of each name,
    null where it has none."""
    values: dict[str, dict[str, str]] = {}
    names: set[str] = set()
    for v in variables:
        values.setdefault(v.node, {})[v.name] = v.value
        names.add(v.name)
    heads = sorted(names)
    rows: list[list[str | None]] = [[TABLE_HEAD, *heads]]
    rows += [[node, *(values[node].get(n) for n in heads)] for node in sorted(values)]
    return rows


def shares(counts: Iterable[vv_pb2.VersionCount]) -> list[dict[str, Any]]:
    """Per name (sorted), each value's share of that name's rows: a percentage with 2 decimals,
    as a string (`"66.67"`), as OpenC3's page reads it."""
    by_name: dict[str, dict[str, int]] = {}
    for c in counts:
        by_name.setdefault(c.name, {})[c.value] = c.count
    return [{"name": name, "data": _percentages(by_name[name])} for name in sorted(by_name)]


def _percentages(counts: dict[str, int]) -> dict[str, str]:
    total = sum(counts.values())
    return {value: f"{100 * n / total:.2f}" for value, n in counts.items()}
