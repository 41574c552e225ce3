"""Local days and hours of a time zone as UTC quarter hours (the tally's slots): pure, so the
reports' edges (midnight, DST changes, the window's first day) are tested without a database.

Every zone's offset in use today is a whole number of quarter hours, so each local midnight and
each local hour begins on a slot boundary. A midnight that does not exist (a DST change at
00:00) is the change itself: zoneinfo reads the skipped wall time with the offset before it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from master.store.reports import SLOT_SECONDS, slot_of

DAYS = 30
"""The days the date report answers (today and the 29 before) and the window's length."""
WINDOW = dt.timedelta(days=DAYS)


def today(now: float, zone: ZoneInfo) -> dt.date:
    return dt.datetime.fromtimestamp(now, zone).date()


def midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The instant (aware, UTC) the local day begins."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


def window_start(now: float, zone: ZoneInfo) -> int:
    """The slot of local midnight of the day of (now - 30 days): OpenC3's window, which begins
    on a whole local day (so the day 30 days back is partly inside)."""
    first = (dt.datetime.fromtimestamp(now, dt.UTC) - WINDOW).astimezone(zone).date()
    return slot_of(midnight(first, zone))


def last_days(now: float, zone: ZoneInfo) -> tuple[list[dt.date], list[int]]:
    """The 30 local days up to today, oldest first, and the 31 slots bounding them."""
    end = today(now, zone)
    days = [end - dt.timedelta(days=back) for back in range(DAYS - 1, -1, -1)]
    after = end + dt.timedelta(days=1)
    return days, [slot_of(midnight(d, zone)) for d in [*days, after]]


def offsets(since: int, until: int, zone: ZoneInfo) -> list[tuple[int, int]]:
    """(first slot, UTC offset in slots) of each stretch of constant offset from slot `since` to
    slot `until`, in order; the first begins at `since`."""
    found = [(since, _offset(since, zone))]
    step = 3600 // SLOT_SECONDS  # offsets change on the hour or a quarter past (never faster)
    for slot in range(since + step, until + step, step):
        before = found[-1][1]
        if _offset(slot, zone) != before:
            changed = (s for s in range(slot - step + 1, slot + 1) if _offset(s, zone) != before)
            first = next(changed)
            found.append((first, _offset(first, zone)))
    return found


def _offset(slot: int, zone: ZoneInfo) -> int:
    at = dt.datetime.fromtimestamp(slot * SLOT_SECONDS, dt.UTC).astimezone(zone)
    offset = at.utcoffset() or dt.timedelta()
    return int(offset.total_seconds()) // SLOT_SECONDS
