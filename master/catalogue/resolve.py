"""Which machines a step runs on: selectors resolved to node names, each checked to be a
machine of the project (its nodelist) or a slave (agent mode)."""

from __future__ import annotations

import re

from master.catalogue.variables import selected_variable
from master.db.models import NodeGroup
from master.domain import GroupPlugin, Selector, SelectorType
from master.errors import InvalidArgument
from master.store import catalogue, slaves

SPLIT = re.compile(r"[\s,;]+")
# A row id as a client may write it: ASCII digits (str.isdigit also takes "¹"), within int64.
ROW_ID = re.compile(r"[0-9]{1,19}")
INT64_MAX = 2**63 - 1


def split_names(text: str) -> list[str]:
    """Names in a comma/space/newline list, in order, without repeats."""
    return list(dict.fromkeys(n for n in SPLIT.split(text) if n))


def group_members(group: NodeGroup) -> list[str]:
    """`list` and OpenC3's `node`: the names in params. OpenC3's `type` (machines of some
    types) is kept but resolves to nothing here: no machine has a type."""
    if group.plugin == GroupPlugin.TYPE:
        raise InvalidArgument(
            f"node group {group.name!r} selects machines by type (plugin `type`), and "
            "machines here have no type: make it a `node` group of their names",
            "plugin",
        )
    if group.plugin not in (GroupPlugin.LIST, GroupPlugin.NODE):
        raise InvalidArgument(f"unknown node group plugin {group.plugin!r}", "plugin")
    return split_names(group.params)


def selector(project_id: int, sel: Selector, values: dict[str, str], at: str) -> list[str]:
    """The node names a selector names (not yet checked to exist)."""
    if sel.type == SelectorType.BUILTIN:
        names = split_names(sel.content)
    elif sel.type == SelectorType.GROUP:
        names = group_members(find_group(project_id, sel.content.strip(), at))
    elif sel.type == SelectorType.VARIABLE:
        names = split_names(values.get(selected_variable(sel.content), ""))
    else:
        raise InvalidArgument(f"cannot run on {sel.type!r}", at)
    if not names:
        raise InvalidArgument("names no nodes", at)
    return names


def find_group(project_id: int, key: str, at: str) -> NodeGroup:
    """A group by name, or by id (what OpenC3 clients send)."""
    group = catalogue.group_by_name(project_id, key)
    if group is None and ROW_ID.fullmatch(key) and int(key) <= INT64_MAX:
        group = catalogue.group_by_id(project_id, int(key))
    if group is None:
        raise InvalidArgument(f"no node group {key!r} in this project", at)
    return group


def static_check(project_id: int, sel: Selector, at: str) -> None:
    """At job save: what can be checked before variables are known (names, groups)."""
    if sel.type == SelectorType.BUILTIN and "${" not in sel.content:
        known_nodes(project_id, split_names(sel.content), at)
    elif sel.type == SelectorType.GROUP:
        find_group(project_id, sel.content.strip(), at)


def known_nodes(project_id: int, names: list[str], at: str) -> list[str]:
    """Names mapped to canonical node names; unknown ones refused, all listed."""
    by_key: dict[str, str] = {}
    for node in catalogue.nodes_known_as(project_id, names):
        for key in (node.name, node.inip, node.exip):
            if key:
                by_key.setdefault(key, node.name)
    canonical = list(dict.fromkeys(by_key.get(n, n) for n in names))
    # every name, as given and as known: a start's routing reads the same slaves again
    agents = slaves.known(list(dict.fromkeys(names + canonical)), project_id)
    unknown = [n for n in names if n not in by_key and n not in agents]
    if unknown:
        raise InvalidArgument(f"unknown node(s): {', '.join(unknown)}", at)
    return canonical


def check(project_id: int, names: list[str]) -> tuple[list[str], list[str]]:
    """(known, unknown) of names for this project."""
    rows = catalogue.nodes_known_as(project_id, names)
    known_keys = {k for n in rows for k in (n.name, n.inip, n.exip) if k}
    agents = slaves.known([n for n in names if n not in known_keys], project_id)
    known = [n for n in names if n in known_keys or n in agents]
    return known, [n for n in names if n not in known]
