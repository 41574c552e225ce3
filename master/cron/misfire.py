"""What a crontab's due fire times become: which one starts a task, which are recorded as
misfired. Pure: the scheduler passes `now`.

The misfire policy (also in docs/decisions.md):
- Of the fire times of one crontab that are due when the scheduler gets to it, only the latest
  may start a task; the earlier ones were missed (the master was down, stalled, or busier than
  it could keep up with) and become ONE `misfired` record (first to last, with a count). So a
  crontab never starts a burst of catch-up tasks.
- The latest due fire time starts if the scheduler reaches it at most `threshold` seconds late
  (the master's misfire threshold, 60 s like Quartz's: a burst of crontabs due at the same
  second all start, one after the other).
- Later than that it misfired too: policy `skip` (the default) runs nothing for it; policy
  `run_once` still starts it, once, if it is at most `grace` seconds late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from master.cron.expression import Schedule
from master.domain import Fire, Policy

COUNT_CAP = 100  # missed fire times counted one by one at most; more read "100+"


@dataclass(frozen=True)
class Decision:
    """What became of a crontab's due fire times, and where its schedule goes on."""

    fires: list[Fire]
    next_tick: int  # the first fire time after the last one in `fires`


def decide(
    schedule: Schedule, tick: int, now: float, policy: Policy, grace: int, threshold: float
) -> Decision:
    """The records for a crontab whose first unhandled fire time is `tick` (<= now)."""
    following = schedule.next_after(tick)
    last = tick
    if following <= now:
        last = schedule.last_in(tick - 1, int(now)) or tick
        following = schedule.next_after(last)
    late = now - last
    if late > threshold and not (policy == Policy.RUN_ONCE and late <= grace):
        return Decision([missed(schedule, tick, last, policy)], following)
    fires = []
    if last > tick:
        fires.append(missed(schedule, tick, schedule.last_in(tick - 1, last - 1) or tick, policy))
    reason = "" if late <= threshold else f"started {late:.0f} s late (misfire policy run_once)"
    fires.append(Fire(last, last, True, reason))
    return Decision(fires, following)


def missed(schedule: Schedule, first: int, last: int, policy: Policy) -> Fire:
    count = schedule.count_in(first, last, COUNT_CAP)
    counted = f"{count}" if count < COUNT_CAP else f"{COUNT_CAP}+"
    span = f"at {stamp(first)}" if first == last else f"from {stamp(first)} to {stamp(last)}"
    reason = (
        f"missed {counted} fire time(s) {span}: the master was down or stalled "
        f"(misfire policy {policy})"
    )
    return Fire(first, last, False, reason)


def stamp(instant: int) -> str:
    return dt.datetime.fromtimestamp(instant, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
