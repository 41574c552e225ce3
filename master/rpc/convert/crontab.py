"""Protobuf <-> domain values for crontabs."""

from __future__ import annotations

from typing import Any

from jobfleet.v1 import crontab_pb2 as pb
from master.cron.service import CrontabView
from master.db.models import CrontabFire
from master.domain import CrontabInput, CrontabStatus, Outcome, Policy
from master.errors import InvalidArgument
from master.rpc.convert import catalog as convert_catalog
from master.rpc.convert.timestamps import from_unix, timestamp

STATUS = {s: getattr(pb, f"CRONTAB_STATUS_{s.name}") for s in CrontabStatus}
STATUS_BACK = {v: k for k, v in STATUS.items()}
POLICY = {p: getattr(pb, f"MISFIRE_POLICY_{p.name}") for p in Policy}
POLICY_BACK = {v: k for k, v in POLICY.items()}
OUTCOME = {o: getattr(pb, f"CRONTAB_FIRE_OUTCOME_{o.name}") for o in Outcome}


def wanted(request: Any) -> CrontabInput:
    """A CreateCrontabRequest's or UpdateCrontabRequest's crontab."""
    return CrontabInput(
        name=request.name,
        job_uuid=request.job_uuid,
        cron=request.cron,
        time_zone=request.time_zone,
        mutex=request.mutex,
        policy=policy(request.misfire_policy),
        grace=request.misfire_grace_seconds,
    )


def policy(value: pb.MisfirePolicy) -> Policy:
    if value == pb.MISFIRE_POLICY_UNSPECIFIED:
        return Policy.SKIP
    if value not in POLICY_BACK:
        raise InvalidArgument(f"unknown misfire policy {value}", "misfire_policy")
    return POLICY_BACK[value]


def status(value: pb.CrontabStatus) -> CrontabStatus:
    if value not in STATUS_BACK:
        raise InvalidArgument("choose available or unavailable", "status")
    return STATUS_BACK[value]


def status_or(value: pb.CrontabStatus, default: CrontabStatus) -> CrontabStatus:
    """A status a request may leave UNSPECIFIED, which means `default`."""
    return default if value == pb.CRONTAB_STATUS_UNSPECIFIED else status(value)


def status_filter(value: pb.CrontabStatus) -> CrontabStatus | None:
    """A list's status filter: UNSPECIFIED is any (None)."""
    return None if value == pb.CRONTAB_STATUS_UNSPECIFIED else status(value)


def crontab(view: CrontabView) -> pb.Crontab:
    row = view.row
    return pb.Crontab(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        job_uuid=row.job.uuid,
        job_name=row.job.name,
        cron=row.cron,
        time_zone=row.time_zone,
        mutex=row.mutex,
        status=STATUS[CrontabStatus(row.status)],
        misfire_policy=POLICY[Policy(row.misfire_policy)],
        misfire_grace_seconds=row.misfire_grace,
        next_fire_time=timestamp(from_unix(view.next_fire or 0, "next_fire_time")),
        recent_fires=[fire(f) for f in view.fires],
        audit=convert_catalog.audit(row),
    )


def fire(row: CrontabFire) -> pb.CrontabFire:
    return pb.CrontabFire(
        fire_time=timestamp(row.fire_time),
        outcome=OUTCOME[Outcome(row.outcome)],
        task_uuid=row.task_uuid,
        reason=row.reason,
        through=timestamp(row.through),
        recorded_at=timestamp(row.recorded_at),
    )
