"""This master's name in multi-master mode, written as `task.owner` of every task it starts
(tasks.py::task_values); None for a single master, whose tasks have no owner. Set once as the
master starts (master/cluster/member.py), before it serves: one process is one master."""

from __future__ import annotations

_name: str | None = None


def this_master() -> str | None:
    """The owner to write on a task started here (None: single-master mode)."""
    return _name


def set_this_master(name: str | None) -> None:
    global _name
    _name = name or None
