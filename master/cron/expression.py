"""When a crontab fires: a cron expression read in an IANA time zone -> UTC instants.

Pure: no clock (callers pass `now`), no database. Instants are whole Unix seconds.

Syntax: 5 fields (minute hour day month weekday), or 6 with seconds as the last field (as
croniter reads it), or one of croniter's aliases (@yearly @annually @monthly @weekly @daily
@midnight @hourly).

Wall-clock rules across daylight-saving changes (those of Vixie cron, which operators know):
- spring forward: a wall time that does not exist that day fires when the clock has moved past
  it, shifted by the gap (02:30 in a 02:00->03:00 jump fires at 03:30), once; a daily job still
  runs that day, and an instant is never fired twice;
- fall back: a wall time that happens twice fires the first time only, unless the expression
  fires every hour (its hour field matches all 24), in which case the repeated hour fires again,
  so an every-minute or every-second crontab keeps its pace in real time.

How: within a stretch of constant UTC offset wall time is UTC plus the offset, so croniter steps
naive wall times and the offset maps them back; at each offset change (found by bisecting
`utcoffset`) the gap and the repeated hour get the rules above.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, CroniterError, croniter

ALIASES = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
FIELD_COUNTS = (5, 6)
HOUR = 1  # index of the hour field in croniter's expansion (5 or 6 fields alike)
LOOKBACK = 3 * 3600  # longer than any offset change (gap or repeated hour) in the tz database
SCAN_STEP = 6 * 3600  # offsets are sampled this far apart; no zone changes twice within it
MAX_SEGMENTS = 64
LAST_WINDOWS = (60, 3600, 2 * 86400, 40 * 86400, 400 * 86400, 3700 * 86400)
EPOCH = dt.datetime(1970, 1, 1)


class ScheduleError(ValueError):
    """A cron expression or time zone that cannot be used; the message says why."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name` (e.g. Europe/Berlin, UTC)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(
            f"unknown time zone {name!r} (an IANA name such as Europe/Berlin)"
        ) from exc


def check_cron(cron: str) -> str:
    """The expression, stripped, if croniter reads it and it has the fields we take."""
    expr = " ".join(cron.split())
    if not expr:
        raise ScheduleError("empty cron expression")
    if expr.startswith("@"):
        if expr not in ALIASES:
            raise ScheduleError(f"{expr!r}: unknown alias; known: {', '.join(sorted(ALIASES))}")
        return expr
    if len(expr.split()) not in FIELD_COUNTS:
        raise ScheduleError(
            f"{expr!r}: expected 5 fields (minute hour day month weekday) or 6 (seconds last)"
        )
    try:
        croniter(expr)
    except CroniterError as exc:
        raise ScheduleError(f"{expr!r}: {exc}") from exc
    return expr


def to_wall(seconds: int) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=seconds)


def from_wall(value: dt.datetime) -> int:
    return int((value - EPOCH).total_seconds())


class Schedule:
    """The fire instants of one expression in one zone. Not thread-safe (croniter is a cursor):
    give each thread its own."""

    def __init__(self, cron: str, time_zone: str) -> None:
        self.cron = check_cron(cron)
        self.zone = zone(time_zone)
        self._iter = croniter(self.cron, EPOCH)
        hours = self._iter.expanded[HOUR]
        self.every_hour = hours == ["*"] or set(hours) == set(range(24))

    def offset(self, instant: int) -> int:
        """The zone's UTC offset at `instant`, in seconds."""
        delta = dt.datetime.fromtimestamp(instant, self.zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    def _wall_next(self, wall: int) -> int:
        """The first wall time the expression matches strictly after the wall time `wall`."""
        self._iter.set_current(to_wall(wall), force=True)
        try:
            found: dt.datetime = self._iter.get_next(dt.datetime)
        except CroniterBadDateError as exc:
            raise ScheduleError(f"{self.cron!r} never fires again") from exc
        return from_wall(found)

    def next_after(self, instant: int) -> int:
        """The first fire instant strictly after `instant`."""
        start = self._change_in(instant - LOOKBACK, instant + 1)
        cursor = instant
        for _ in range(MAX_SEGMENTS):
            found, end = self._next_in_segment(start, cursor, instant)
            if found is not None:
                return found
            assert end is not None
            start, cursor = end, end - 1
        raise ScheduleError(f"{self.cron!r}: no fire time found after {instant}")

    def _next_in_segment(
        self, start: int | None, cursor: int, after: int
    ) -> tuple[int | None, int | None]:
        """(the first fire > `after` in the stretch of constant offset holding cursor + 1, or
        None and where the stretch ends). `start` is the offset change the stretch begins at,
        when that is recent enough to matter."""
        offset = self.offset(cursor + 1)
        shifted = self._gap_fire(start, after) if start is not None else None
        while True:
            candidate = self._wall_next(cursor + offset) - offset
            end = self._change_in(cursor + 1, candidate)
            if end is not None:
                return shifted, end if shifted is None else None
            if start is not None and self._repeated(start, candidate):
                cursor = candidate
                continue
            return min(candidate, shifted) if shifted is not None else candidate, None

    def _gap_fire(self, change: int, after: int) -> int | None:
        """A wall time skipped by a spring-forward `change`, fired shifted by the gap."""
        before, offset = self.offset(change - 1), self.offset(change)
        if offset <= before:
            return None
        wall = self._wall_next(max(change + before - 1, after + before))
        return wall - before if wall < change + offset else None

    def _repeated(self, change: int, candidate: int) -> bool:
        """Whether `candidate` is the second time a fall-back `change` shows its wall time, and
        the expression does not fire every hour."""
        repeat = self.offset(change - 1) - self.offset(change)
        return repeat > 0 and candidate < change + repeat and not self.every_hour

    def _change_in(self, low: int, high: int) -> int | None:
        """The first instant in (low, high] whose offset differs from low's, or None."""
        base = self.offset(low)
        while low < high:
            step = min(low + SCAN_STEP, high)
            if self.offset(step) != base:
                return self._bisect(low, step, base)
            low = step
        return None

    def _bisect(self, low: int, high: int, base: int) -> int:
        while high - low > 1:
            mid = (low + high) // 2
            if self.offset(mid) == base:
                low = mid
            else:
                high = mid
        return high

    def last_in(self, after: int, until: int) -> int | None:
        """The latest fire instant in (after, until], or None. Looks back over growing windows,
        so a frequent schedule long overdue costs a few steps, not one per missed fire."""
        for window in LAST_WINDOWS:
            start = max(after, until - window)
            last = self._last_from(start, until)
            if last is not None or start == after:
                return last
        return self._last_from(after, until)

    def _last_from(self, start: int, until: int) -> int | None:
        last, instant = None, self.next_after(start)
        while instant <= until:
            last, instant = instant, self.next_after(instant)
        return last

    def count_in(self, first: int, last: int, cap: int) -> int:
        """How many fire instants lie in [first, last], counting at most `cap`."""
        count, instant = 0, first
        while instant <= last and count < cap:
            count, instant = count + 1, self.next_after(instant)
        return count


def check(cron: str, time_zone: str, now: int) -> Schedule:
    """A schedule that fires at least once after `now`, or ScheduleError saying why not."""
    schedule = Schedule(cron, time_zone)
    schedule.next_after(now)
    return schedule
