"""A start's reads in SQL written once answer what peewee's queries answered: the project, the
nodes named (by name or IP, only those), the slaves named; a list of names too long to match in
SQL still finds every node."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Iterator

import peewee
import pytest

from master.catalogue import resolve
from master.db.models import Node, Project
from master.domain import Selector, SelectorType, Step, StepKind
from master.errors import InvalidArgument
from master.store import catalogue, slaves, startreads, taskview
from master.store import tasks as store_tasks
from tests.unit.master.store.test_tasks import new_task


def machines() -> None:
    Node.create(project=1, name="web1", inip="10.0.0.1", exip="1.2.3.4", cloud_id=3)
    Node.create(project=1, name="web2", inip="10.0.0.2")
    Node.create(project=0, name="shared", inip="10.0.0.9")  # another project's
    slaves.register("agent", "agent.host", ["127.0.0.1", "10.1.1.1"], "test")


def test_the_reads_answer_what_peewee_reads(database: peewee.Database) -> None:
    machines()
    found = startreads.project(1)
    assert found is not None and found.__data__ == Project.get_by_id(1).__data__
    assert startreads.project(99) is None
    named = catalogue.machines_named(1, ["web1", "shared", "agent"])
    query = Node.select().where((Node.project == 1) & Node.name.in_(["web1"]))
    assert [n.__data__ for n in named.values()] == [n.__data__ for n in query]
    assert slaves.addresses_of(["agent", "web1"], 1) == {"agent": ["127.0.0.1", "10.1.1.1"]}
    assert slaves.known(["agent", "web1"], 2) == {"agent"}
    task = store_tasks.create(new_task())
    assert taskview.by_id(task.id).__data__ == store_tasks.get_by_id(task.id).__data__


def test_nodes_are_matched_by_name_or_address_and_only_those_are_read(
    database: peewee.Database,
) -> None:
    machines()
    rows = startreads.nodes_matching(1, ["10.0.0.1", "1.2.3.4", "web2", "10.0.0.9", "agent"])
    assert rows is not None and [n.name for n in rows] == ["web1", "web2"]
    names = ["10.0.0.1", "1.2.3.4", "web2", "agent"]
    assert resolve.known_nodes(1, names, "nodes") == ["web1", "web2", "agent"]
    assert resolve.check(1, ["10.0.0.2", "shared", "nope"]) == (["10.0.0.2"], ["shared", "nope"])


def test_more_names_than_matched_in_sql_still_find_every_node(database: peewee.Database) -> None:
    machines()
    many = [f"n{i}" for i in range(startreads.MATCH_AT_MOST)] + ["10.0.0.2", "web1"]
    assert startreads.nodes_matching(1, many) is None
    with pytest.raises(InvalidArgument) as refused:
        resolve.known_nodes(1, many, "nodes")
    assert refused.value.field == "nodes" and "n0, n1" in str(refused.value)
    assert "10.0.0.2" not in str(refused.value) and "web1" not in str(refused.value)
    assert resolve.known_nodes(1, many[-2:] * 600, "nodes") == ["web2", "web1"]


def test_a_start_reads_the_nodes_and_slaves_it_names_once(database: peewee.Database) -> None:
    """Routing's reads of the nodes and slaves planning read are answered from planning's, and
    answer what a read would; a name planning did not decide is read."""
    machines()
    names = ["10.0.0.1", "agent"]
    fresh = (catalogue.machines_named(1, ["web1", "agent"]), slaves.addresses_of(names, 1))
    with count_statements() as sql, startreads.remembered():
        canonical = resolve.known_nodes(1, names, "nodes")
        before = len(sql)
        again = (catalogue.machines_named(1, canonical), slaves.addresses_of(canonical, 1))
        reread = len(sql) - before
        catalogue.machines_named(1, ["web2"])  # not decided by planning's read
    assert canonical == ["web1", "agent"] and again == fresh
    assert (before, reread, len(sql)) == (2, 0, 3)


@contextlib.contextmanager
def count_statements() -> Iterator[list[str]]:
    """The SQL statements run meanwhile (as peewee logs them)."""
    sql: list[str] = []

    class Counter(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            sql.append(str(record.msg))

    log, counter = logging.getLogger("peewee"), Counter(logging.DEBUG)
    level = log.level
    log.addHandler(counter)
    log.setLevel(logging.DEBUG)
    try:
        yield sql
    finally:
        log.removeHandler(counter)
        log.setLevel(level)


def test_a_step_as_json_is_what_asdict_gives() -> None:
    step = Step(
        kind=StepKind.SCP,
        name="copy",
        nodes=Selector(SelectorType.GROUP, "web"),
        src=Selector(SelectorType.FILESERVER, ""),
        dst=Selector(SelectorType.VARIABLE, "${hosts}"),
        everyone=True,
        timeout_s=9,
    )
    assert step.to_json() == dataclasses.asdict(step)
    assert list(step.to_json()) == list(dataclasses.asdict(step))
    assert Step.from_json(step.to_json()) == step
