"""The body of `batch_get_job_instance_ip_log` -> what is asked: the project (bk-job's scope),
the job instance (a task's numeric id), the step instance (a subtask's numeric id) and the hosts,
each refusal naming the key the client sent (`ip_list[1].ip`).

`bk_scope_type` is `biz` (the default): a jobfleet project is bk-job's business, and
`bk_scope_id` its id; `biz_set` is refused, jobfleet has no sets of projects. `bk_biz_id`, the
deprecated spelling, is read only when `bk_scope_id` is absent (as bk-job does).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from gateway import forms
from gateway.errors import FieldError
from gateway.forms import Fields

SCOPE_TYPES = ("biz",)
REFUSED_SCOPE = "biz_set"
MAX_HOSTS = 500
"""bk-job's own bound on one call's `ip_list`."""
MAX_CLOUD_ID = 2**31 - 1
MAX_IP = 64


@dataclass(frozen=True)
class Host:
    """A host as bk-job names one: its cloud area and IP (in the canonical spelling of the IP,
    so `FE80::1` and `fe80::1` are one host)."""

    cloud_id: int
    ip: str

    def row(self) -> dict[str, Any]:
        return {"bk_cloud_id": self.cloud_id, "ip": self.ip}


@dataclass(frozen=True)
class Asked:
    project_id: int
    job_instance_id: int
    step_instance_id: int
    hosts: list[Host]


def asked(fields: Fields) -> Asked:
    return Asked(
        project_id=scope(fields),
        job_instance_id=forms.identifier(fields, "job_instance_id"),
        step_instance_id=forms.identifier(fields, "step_instance_id"),
        hosts=hosts(fields),
    )


def scope(fields: Fields) -> int:
    """The project: `bk_scope_id` (a decimal string or a number), else `bk_biz_id` (checked
    whenever it is sent)."""
    kind = forms.text(fields, "bk_scope_type") or SCOPE_TYPES[0]
    if kind == REFUSED_SCOPE:
        raise FieldError("bk_scope_type", "jobfleet has no business sets: send biz and a project")
    if kind not in SCOPE_TYPES:
        raise FieldError("bk_scope_type", f"unsupported value {kind!r}, expected biz")
    biz = forms.integer(fields, "bk_biz_id", default=-1, low=0, high=forms.INT64_MAX)
    value = fields.get("bk_scope_id")
    if value is None or value == "":
        if biz < 0:
            raise FieldError("bk_scope_id", "is required: the project's id")
        return biz
    if isinstance(value, str):
        return forms.project_id(value.strip(), "bk_scope_id")
    return forms.integer(fields, "bk_scope_id", default=0, low=0, high=forms.INT64_MAX)


def hosts(fields: Fields) -> list[Host]:
    """`ip_list`: 1 to MAX_HOSTS `{bk_cloud_id, ip}`; a host asked twice is answered once."""
    items = forms.hash_list(fields, "ip_list")
    if not 1 <= len(items) <= MAX_HOSTS:
        raise FieldError("ip_list", f"must list 1 to {MAX_HOSTS} hosts, got {len(items)}")
    found: list[Host] = []
    for index, item in enumerate(items):
        with forms.within(f"ip_list[{index}]"):
            found.append(host(item))
    return list(dict.fromkeys(found))


def host(item: Fields) -> Host:
    cloud_id = forms.integer(item, "bk_cloud_id", default=0, low=0, high=MAX_CLOUD_ID)
    ip = forms.text(item, "ip", required=True, max_len=MAX_IP)
    try:
        return Host(cloud_id, str(ipaddress.ip_address(ip)))
    except ValueError:
        raise FieldError("ip", f"not an IP address: {ip!r}") from None


def canonical(ip: str) -> str:
    """An execution's IP in the spelling `host` gives asked ones ("" and the unparsable as is)."""
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return ip
