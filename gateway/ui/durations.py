"""How long a run took, in the words the run page shows (run.js writes a running run's the same
way as it ticks)."""

from __future__ import annotations

from jobfleet.v1 import common_pb2


def spoken(seconds: float) -> str:
    """`42 s`, `3 min 05 s`, `2 h 03 min`: whole seconds, the two largest units."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def started_unix(task: common_pb2.Task) -> str:
    """When the run started, in Unix seconds (run.js counts from it); empty before it has."""
    return str(task.started_at.seconds) if task.HasField("started_at") else ""


def run_duration(task: common_pb2.Task) -> str:
    """From start to finish of a finished run; empty while it runs or if it never started."""
    if not (task.HasField("started_at") and task.HasField("finished_at")):
        return ""
    took = task.finished_at.ToDatetime() - task.started_at.ToDatetime()
    return spoken(took.total_seconds())
