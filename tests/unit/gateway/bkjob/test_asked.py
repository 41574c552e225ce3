"""Reading bk-job's body: the project from its scope, the instance and step ids, the hosts; each
refusal names the key the client sent."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.bkjob.asked import Asked, Host, asked
from gateway.errors import FieldError

BODY: dict[str, Any] = {
    "bk_scope_type": "biz",
    "bk_scope_id": "3",
    "job_instance_id": 100,
    "step_instance_id": 200,
    "ip_list": [{"bk_cloud_id": 0, "ip": "10.0.0.1"}, {"bk_cloud_id": 2, "ip": "10.0.0.2"}],
}


def refused(body: dict[str, Any]) -> FieldError:
    with pytest.raises(FieldError) as caught:
        asked(body)
    return caught.value


def test_the_documents_example_asks_for_two_hosts_of_a_step_in_a_project() -> None:
    assert asked(BODY) == Asked(3, 100, 200, [Host(0, "10.0.0.1"), Host(2, "10.0.0.2")])


@pytest.mark.parametrize(
    ("changes", "project"),
    [
        ({"bk_scope_id": 4}, 4),  # a number as well as a string
        ({"bk_scope_id": "0"}, 0),  # the shared project
        ({"bk_scope_type": None}, 3),  # biz by default
        ({"bk_scope_id": None, "bk_biz_id": 5}, 5),  # the deprecated spelling
        ({"bk_scope_id": None, "bk_biz_id": "6"}, 6),
        ({"bk_biz_id": 9}, 3),  # bk_scope_id wins, as in bk-job
    ],
)
def test_the_project_is_the_scope_id_else_the_deprecated_biz_id(
    changes: dict[str, Any], project: int
) -> None:
    body = {k: v for k, v in {**BODY, **changes}.items() if v is not None}

    assert asked(body).project_id == project


def test_hosts_are_canonical_default_to_cloud_area_0_and_are_answered_once() -> None:
    hosts = [{"ip": "FE80::1"}, {"bk_cloud_id": 0, "ip": "fe80::1"}, {"ip": " 10.0.0.9 "}]

    assert asked({**BODY, "ip_list": hosts}).hosts == [Host(0, "fe80::1"), Host(0, "10.0.0.9")]


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"bk_scope_id": None}, "bk_scope_id", "is required"),
        ({"bk_scope_type": "biz_set"}, "bk_scope_type", "no business sets"),
        ({"bk_scope_type": "tenant"}, "bk_scope_type", "expected biz"),
        ({"bk_scope_id": "01"}, "bk_scope_id", "positive integer"),
        ({"bk_scope_id": "web"}, "bk_scope_id", "positive integer"),
        ({"bk_scope_id": -1}, "bk_scope_id", "between"),
        ({"bk_scope_id": {"a": 1}}, "bk_scope_id", "must be an integer"),
        ({"bk_biz_id": "x"}, "bk_biz_id", "must be an integer"),
        ({"job_instance_id": None}, "job_instance_id", "is required"),
        ({"job_instance_id": 0}, "job_instance_id", "between"),
        ({"step_instance_id": "two"}, "step_instance_id", "must be an integer"),
        ({"ip_list": None}, "ip_list", "is required"),
        ({"ip_list": []}, "ip_list", "1 to 500"),
        ({"ip_list": [{"ip": "10.0.0.1"}] * 501}, "ip_list", "1 to 500"),
        ({"ip_list": ["10.0.0.1"]}, "ip_list[0]", "must be an object"),
        ({"ip_list": [{"ip": "10.0.0.1"}, {"ip": "web1"}]}, "ip_list[1].ip", "not an IP"),
        ({"ip_list": [{"bk_cloud_id": 0}]}, "ip_list[0].ip", "is required"),
        ({"ip_list": [{"ip": "10.0.0.1", "bk_cloud_id": 2**31}]}, "ip_list[0].bk_cloud_id", ""),
    ],
)
def test_bad_input_is_refused_naming_the_key_sent(
    changes: dict[str, Any], field: str, says: str
) -> None:
    body = {k: v for k, v in {**BODY, **changes}.items() if v is not None}

    refusal = refused(body)

    assert (refusal.field, refusal.status) == (field, 400)
    assert says in refusal.message
