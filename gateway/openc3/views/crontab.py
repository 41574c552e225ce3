"""Crontabs as the OpenC3 job module lists them: the document's keys, the audit columns, and
ours: the time zone, the misfire policy, the next fire time and the recent fires."""

from __future__ import annotations

from typing import Any

from gateway.openc3 import words
from gateway.openc3.views.catalog import audit
from gateway.openc3.views.tasks import format_time
from gateway.words import word
from jobfleet.v1 import crontab_pb2


def crontab_row(crontab: crontab_pb2.Crontab) -> dict[str, Any]:
    """`nexttime` is "" while unavailable; `fires` are newest first."""
    return {
        "id": crontab.id,
        "name": crontab.name,
        "jobuuid": crontab.job_uuid,
        "jobname": crontab.job_name,
        "cron": crontab.cron,
        "timezone": crontab.time_zone,
        "mutex": crontab.mutex,
        "status": word(words.CRONTAB_STATUS, crontab.status),
        "misfire": word(words.MISFIRE_POLICY, crontab.misfire_policy),
        "misfire_grace": crontab.misfire_grace_seconds,
        "nexttime": format_time(crontab, "next_fire_time"),
        **audit(crontab.audit),
        "fires": [fire_row(f) for f in crontab.recent_fires],
    }


def fire_row(fire: crontab_pb2.CrontabFire) -> dict[str, Any]:
    """One fire: `time` scheduled; a `misfired` one covers every fire time up to `through`."""
    return {
        "time": format_time(fire, "fire_time"),
        "through": format_time(fire, "through"),
        "outcome": word(words.FIRE_OUTCOME, fire.outcome),
        "taskuuid": fire.task_uuid,
        "reason": fire.reason,
        "recorded": format_time(fire, "recorded_at"),
    }
