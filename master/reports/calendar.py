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
DAY_SLOTS = 86400 // SLOT_SECONDS


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
    slot `until`, in order; the first begins at `since`. A zone changes its offset at most once
    a day: each day is checked at its end, and a change found by bisection."""
    found = [(since, _offset(since, zone))]
    low = since
    while low < until:
        high = min(low + DAY_SLOTS, until)
        before = found[-1][1]
        if _offset(high, zone) != before:
            while high - low > 1:  # _offset(low) is `before`, _offset(high) is not
                middle = (low + high) // 2
                low, high = (middle, high) if _offset(middle, zone) == before else (low, middle)
            found.append((high, _offset(high, zone)))
        low = high
    return found


def _offset(slot: int, zone: ZoneInfo) -> int:
    at = dt.datetime.fromtimestamp(slot * SLOT_SECONDS, dt.UTC).astimezone(zone)
    offset = at.utcoffset() or dt.timedelta()
    return int(offset.total_seconds()) // SLOT_SECONDS
