"""A crontab's next fire times, shown in its own zone with the zone's UTC offset.

The first is the master's (`next_fire_time`): the master decides when a crontab fires, with its
rules for daylight-saving changes. The ones after it are croniter's reading of the expression in
the zone, from that first one on: a preview that matches the master's but for a fire time that
falls in a daylight-saving gap or repeated hour.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter

SHOWN = 3
TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"
"""e.g. 2026-12-07 04:30:00 +0545"""


def zone_of(name: str) -> dt.tzinfo:
    """The IANA zone `name`; UTC when this machine does not know it (the page then says UTC
    with each time's offset, never a wrong zone)."""
    try:
        return ZoneInfo(name) if name else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def next_fires(
    cron: str, zone: str, first: dt.datetime | None, count: int = SHOWN
) -> list[dt.datetime]:
    """`count` fire times from `first` (aware, any zone) on, in `zone`; none when the master
    gave no first (a stopped crontab)."""
    if first is None:
        return []
    tz = zone_of(zone)
    found = [first.astimezone(tz)]
    try:
        cursor = croniter(cron, found[0])
        while len(found) < count:
            found.append(cursor.get_next(dt.datetime).astimezone(tz))
    except (CroniterError, ValueError):
        pass  # the master's own time is still right; the rest are a preview
    return found


def shown(instant: dt.datetime) -> str:
    return instant.strftime(TIME_FORMAT)
