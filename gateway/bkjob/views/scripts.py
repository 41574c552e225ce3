"""A command step's logs: one `script_task_logs` entry per asked host.

`log_content` is the host's output as it came, stdout and stderr in the order written, as plain
lines: jobfleet keeps no time per line, so bk-job's agent prefixes (`[time][PID:n]`) would be
made up. A host that ran the step twice under two node names has both outputs, one after the
other; a log longer than what one answer carries ends with a line saying where it was cut.
"""

from __future__ import annotations

from typing import Any

from gateway.bkjob.asked import Host

LOG_BUDGET = 32 << 20
"""Output bytes one answer carries at most, shared by the executions it shows."""
MAX_PER_EXECUTION = 1 << 20


def read_cap(executions: int) -> int:
    """How much of each execution's output an answer showing `executions` of them reads."""
    return min(MAX_PER_EXECUTION, LOG_BUDGET // max(executions, 1))


def shown(data: bytes, log_bytes: int, cap: int) -> str:
    """An execution's output as text, ending with a line saying so when it was cut at `cap`."""
    kept = data[:cap]
    text = kept.decode("utf-8", errors="replace")
    if len(kept) < log_bytes:
        newline = "" if not text or text.endswith("\n") else "\n"
        text += f"{newline}[jobfleet: log cut at {len(kept)} of {log_bytes} bytes]\n"
    return text


def script_log(host: Host, texts: list[str]) -> dict[str, Any]:
    return {**host.row(), "log_content": "".join(texts)}
