"""Version variables in the store: upserts keep ids, reads and deletes stay in one project,
the version counts and the value list."""

from __future__ import annotations

import datetime as dt

import peewee

from master.db.models import Project, VersionVariable
from master.store import vv


def test_reads_filters_and_deletes_stay_in_the_project(database: peewee.Database) -> None:
    other = Project.create(name="other").id
    vv.write(1, [("a", "VERSION", "1"), ("b", "VERSION", "Do_2"), ("a", "build", "b1")])
    vv.write(other, [("a", "VERSION", "9")])
    first = {(v.node, v.name): v.id for v in vv.listed(1)}
    vv.write(1, [("a", "VERSION", "2"), ("a", "VERSION", "3")])

    assert [(v.id, v.value) for v in vv.listed(1, node="a", name="VERSION")] == [
        (first[("a", "VERSION")], "3")
    ]
    tomorrow = VersionVariable.get().update_time + dt.timedelta(days=1)
    assert vv.listed(1, after=tomorrow) == [] and len(vv.listed(1, before=tomorrow)) == 3
    assert vv.version_counts(1, tomorrow - dt.timedelta(days=2)) == [
        ("VERSION", "3", 1),
        ("VERSION", "Do_2", 1),
    ]
    assert vv.distinct_values(1, "") == ["3", "b1"]
    assert vv.delete_node(other, "b") == 0 and vv.delete_node(1, "a") == 2
    assert [v.node for v in vv.listed(1)] == ["b"] and len(vv.listed(other)) == 1


def test_version_names_are_version_and_app_versions() -> None:
    names = ["VERSION", "APP_web_VERSION", "APP__ci_12__VERSION", "APPVERSION", "build"]
    assert [n for n in names if vv.is_version_name(n)] == names[:3]
