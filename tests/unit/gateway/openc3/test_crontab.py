"""OpenC3 crontab routes: the route table, form fields -> requests, rows, field names."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import timestamp_pb2
from starlette.routing import Match

from gateway.app import ROUTES
from gateway.errors import FieldError
from gateway.openc3.names import field_name
from gateway.openc3.routes import crontab as routes
from gateway.openc3.views.crontab import crontab_row
from jobfleet.v1 import catalog_pb2, crontab_pb2


def endpoint(method: str, path: str) -> tuple[str, dict[str, Any]]:
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in ROUTES:
        match, child = route.matches(scope)
        if match == Match.FULL:
            return child["endpoint"].__name__, child["path_params"]
    raise AssertionError(f"no route for {method} {path}")


@pytest.mark.parametrize(
    ("method", "path", "handler"),
    [
        ("GET", "/crontab/1", "list_crontabs"),
        ("GET", "/crontab/1/count", "count_crontabs"),
        ("GET", "/crontab/1/2", "get_crontab"),
        ("POST", "/crontab/1", "create_crontab"),
        ("POST", "/crontab/1/2", "update_crontab"),
        ("POST", "/crontab/1/2/status", "set_status"),
        ("DELETE", "/crontab/1/2", "delete_crontab"),
    ],
)
def test_each_route_reaches_its_handler(method: str, path: str, handler: str) -> None:
    assert endpoint(method, path)[0] == handler


def test_a_create_takes_the_document_fields_and_ours() -> None:
    ask = routes.create_request(
        1,
        {
            "name": " nightly ",
            "jobuuid": "abc123",
            "cron": "30 2 * * *",
            "mutex": "backups",
            "timezone": "Europe/Berlin",
            "misfire": "run_once",
            "misfire_grace": "600",
        },
        "ops",
    )

    assert (ask.name, ask.job_uuid, ask.cron, ask.mutex) == (
        "nightly",
        "abc123",
        "30 2 * * *",
        "backups",
    )
    assert (ask.time_zone, ask.misfire_grace_seconds, ask.actor) == ("Europe/Berlin", 600, "ops")
    assert ask.misfire_policy == crontab_pb2.MISFIRE_POLICY_RUN_ONCE
    assert ask.status == crontab_pb2.CRONTAB_STATUS_UNAVAILABLE  # as OpenC3's: started later


def test_defaults_skip_misfires_in_the_masters_zone() -> None:
    ask = routes.update_request(1, 2, {"name": "n", "jobuuid": "j1", "cron": "@hourly"}, "api")

    assert (ask.id, ask.time_zone, ask.mutex) == (2, "", "")
    assert ask.misfire_policy == crontab_pb2.MISFIRE_POLICY_SKIP


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"jobuuid": "j1", "cron": "* * * * *"}, "name"),
        ({"name": "n", "cron": "* * * * *"}, "jobuuid"),
        ({"name": "n", "jobuuid": "not a uuid!", "cron": "* * * * *"}, "jobuuid"),
        ({"name": "n", "jobuuid": "j1"}, "cron"),
        ({"name": "n", "jobuuid": "j1", "cron": "x", "misfire": "later"}, "misfire"),
        ({"name": "n", "jobuuid": "j1", "cron": "x", "misfire_grace": "-1"}, "misfire_grace"),
    ],
)
def test_bad_fields_are_named(fields: dict[str, str], named: str) -> None:
    with pytest.raises(FieldError) as refused:
        routes.create_request(1, fields, "api")
    assert refused.value.field == named


def test_status_is_available_or_unavailable() -> None:
    ask = routes.status_request(1, 2, {"status": "unavailable"}, "ops")
    assert ask.status == crontab_pb2.CRONTAB_STATUS_UNAVAILABLE
    with pytest.raises(FieldError, match="status"):
        routes.status_request(1, 2, {"status": "paused"}, "ops")


def test_a_row_has_the_document_keys_the_next_time_and_the_fires() -> None:
    at = timestamp_pb2.Timestamp(seconds=1_714_564_800)  # 2024-05-01 12:00:00 UTC
    crontab = crontab_pb2.Crontab(
        id=3,
        name="n",
        job_uuid="j1",
        job_name="job",
        cron="* * * * * *",
        time_zone="UTC",
        mutex="m",
        status=crontab_pb2.CRONTAB_STATUS_AVAILABLE,
        misfire_policy=crontab_pb2.MISFIRE_POLICY_SKIP,
        next_fire_time=at,
        audit=catalog_pb2.Audit(create_user="ops", create_time=at),
        recent_fires=[
            crontab_pb2.CrontabFire(
                fire_time=at,
                through=at,
                outcome=crontab_pb2.CRONTAB_FIRE_OUTCOME_SKIPPED_MUTEX,
                reason="mutex 'm' is held by task t1, which has not ended",
                recorded_at=at,
            )
        ],
    )

    row = crontab_row(crontab)

    assert list(row)[:9] == [
        "id",
        "name",
        "jobuuid",
        "jobname",
        "cron",
        "timezone",
        "mutex",
        "status",
        "misfire",
    ]
    assert (row["status"], row["nexttime"], row["create_user"]) == (
        "available",
        "2024-05-01 12:00:00",
        "ops",
    )
    assert row["fires"] == [
        {
            "time": "2024-05-01 12:00:00",
            "through": "2024-05-01 12:00:00",
            "outcome": "skipped_mutex",
            "taskuuid": "",
            "reason": "mutex 'm' is held by task t1, which has not ended",
            "recorded": "2024-05-01 12:00:00",
        }
    ]


@pytest.mark.parametrize(
    ("field", "route", "key"),
    [
        ("time_zone", "/crontab/{projectid}", "timezone"),
        ("job_uuid", "/crontab/{projectid}", "jobuuid"),
        ("misfire_policy", "/crontab/{projectid}", "misfire"),
        ("id", "/crontab/{projectid}/{crontabid}", "crontabid"),
        ("id", "/crontab/{projectid}/{crontabid}/status", "crontabid"),
        ("cron", "/crontab/{projectid}/{crontabid}", "cron"),
    ],
)
def test_master_fields_get_the_document_names(field: str, route: str, key: str) -> None:
    assert field_name(field, route) == key
