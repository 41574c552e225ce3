"""A slave's batch of reports (starts, results) stored in one transaction, with the tasks it
touched settled there too when the common case allows: SQL written out once, rows changed with
`executemany`, no SELECT per report.

Each touched task is sorted (`Settled`): a step still running plain (no window, no kill) with
executions open needs nothing; a plain step with none open left is handed to `decide`
(tasks/settling.py), and the end it returns (the step's and the task's status, the notice,
the version variables) is written in the same transaction; anything else is left for the
engine's general settle. On PostgreSQL the batch's executions and then its tasks (in id order)
are locked first, so of two batches ending a task's last executions the later one sees the
earlier's, as SQLite's one writer does.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from psycopg2.extras import execute_batch

from master.db.bulk import insert_rows
from master.db.connection import db, is_postgres, write_transaction
from master.db.models import Execution, Notice, Task, utcnow
from master.domain import (
    FINAL_TASK,
    ExecutionStatus,
    Finished,
    NoticeKind,
    Started,
    StepKind,
    SubtaskStatus,
    TaskStatus,
)
from master.store import reports, vv

SENT = (ExecutionStatus.PENDING.value, ExecutionStatus.RUNNING.value)
OPEN = (ExecutionStatus.QUEUED.value, *SENT)
FINAL = tuple(s.value for s in FINAL_TASK)
TIME: Any = Execution.finished_at
"""A DateTimeField: times written and read as peewee converts them."""
PAGE = 200
"""Statements per round trip on PostgreSQL."""


@dataclass(frozen=True)
class StepFacts:
    """A task whose current step is plain and has no execution open: what deciding its end
    reads (`task` holds id, uuid, project, job type, dry run, variables, started_at)."""

    task: Task
    subtask_id: int
    position: int
    pause: str
    spec: str
    steps: int
    total: int
    failed: list[Execution]
    """Its live executions not successful, in id order (node, status and reason read)."""
    earlier_failed: list[int]
    """Positions of the task's other steps that ended FAIL (a `next` after a decision)."""


@dataclass(frozen=True)
class StepEnd:
    """What `decide` makes of a step's end: the step's status, the task's (final, or DECISION)
    and its reason, and the version variables (node, name, value) a success writes."""

    step: SubtaskStatus
    task: TaskStatus
    reason: str = ""
    versions: list[tuple[str, str, str]] = field(default_factory=list)


Decide = Callable[[StepFacts], StepEnd | None]
"""The end of a plain step with none open; None: the engine's general settle decides."""


@dataclass
class Settled:
    """What storing a batch did: tasks with an execution now running, results stored (not
    resends, by execution id: its task), tasks whose step or task ended here (by id: the
    end and the uuid), and tasks the engine must settle. A touched task in none of the last
    two needs nothing but its followers told."""

    started: set[int] = field(default_factory=set)
    recorded: dict[int, int] = field(default_factory=dict)
    ended: dict[int, tuple[str, int, StepEnd]] = field(default_factory=dict)
    unsettled: set[int] = field(default_factory=set)


def store_reports(
    starts: Sequence[Started], results: Sequence[Finished], busy: frozenset[int], decide: Decide
) -> Settled:
    """Store the starts and results, then settle the tasks results touched that are not
    `busy` (their engine lock held or awaited: those are left to the engine), in one
    transaction."""
    settled = Settled()
    ids = [s.execution_id for s in starts] + [r.result.execution_id for r in results]
    if not ids:
        return settled
    with write_transaction():
        rows = _locked_executions(ids)
        _store_starts(starts, rows, settled)
        _store_results(results, rows, settled)
        touched = sorted(set(settled.recorded.values()))
        if touched:
            _settle(touched, busy, decide, settled)
    return settled


def _run(sql: str, params: Sequence[Any] = ()) -> Any:
    return db.execute_sql(sql.replace("?", db.param), params)


def _many(sql: str, params: list[tuple[Any, ...]]) -> None:
    """One statement run for each set of parameters, prepared once (SQLite) or sent in pages
    (PostgreSQL: psycopg2's executemany would make a round trip per set)."""
    if not params:
        return
    cursor = db.cursor()
    if is_postgres():
        execute_batch(cursor, sql.replace("?", db.param), params, page_size=PAGE)
    else:
        cursor.executemany(sql, params)


def _stamp(value: dt.datetime | None) -> Any:
    return TIME.db_value(value)


def _read_time(value: Any) -> dt.datetime | None:
    read: dt.datetime | None = TIME.python_value(value)
    return read


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _locked_executions(ids: list[int]) -> dict[int, tuple[int, str]]:
    """Execution id -> (task id, status), locked on PostgreSQL."""
    lock = " FOR UPDATE" if is_postgres() else ""
    unique = sorted(set(ids))
    sql = f"SELECT id, task_id, status FROM execution WHERE id IN ({_marks(len(unique))}){lock}"
    return {int(i): (int(t), str(s)) for i, t, s in _run(sql, unique).fetchall()}


def _store_starts(
    starts: Sequence[Started], rows: dict[int, tuple[int, str]], settled: Settled
) -> None:
    """PENDING -> RUNNING, as executions.mark_running."""
    params: list[tuple[Any, ...]] = []
    for start in starts:
        found = rows.get(start.execution_id)
        if found is None or found[1] != ExecutionStatus.PENDING:
            continue
        rows[start.execution_id] = (found[0], ExecutionStatus.RUNNING.value)
        began = _stamp(start.started_at or utcnow())
        params.append((began, start.execution_id))
        settled.started.add(found[0])
    _many(START, params)


START = (
    "UPDATE execution SET status = 'running', started_at = ? WHERE id = ? AND status = 'pending'"
)
RECORD = (
    "UPDATE execution SET status = ?, exit_code = ?, reason = ?,"
    " started_at = COALESCE(?, started_at), finished_at = ?,"
    " blob = COALESCE(?, blob), blob_size = COALESCE(?, blob_size)"
    " WHERE id = ? AND status IN ('pending', 'running')"
)


def _store_results(
    results: Sequence[Finished], rows: dict[int, tuple[int, str]], settled: Settled
) -> None:
    """A sent execution's result, as executions.record_result (a resend changes nothing)."""
    params: list[tuple[Any, ...]] = []
    for item in results:
        result = item.result
        found = rows.get(result.execution_id)
        if found is None or found[1] not in SENT:
            continue
        rows[result.execution_id] = (found[0], result.status.value)
        fetched = result.fetched
        params.append(
            (
                result.status.value,
                result.exit_code,
                result.reason,
                _stamp(item.started_at),
                _stamp(item.finished_at or utcnow()),
                fetched.encode() if fetched else None,
                fetched.size if fetched else None,
                result.execution_id,
            )
        )
        settled.recorded[result.execution_id] = found[0]
    _many(RECORD, params)


def _settle(touched: list[int], busy: frozenset[int], decide: Decide, settled: Settled) -> None:
    """Sort the touched tasks; decide and write the ends of those whose plain step is over."""
    if is_postgres():
        _run(LOCK_TASKS.format(_marks(len(touched))), touched)
    over: list[int] = []
    for task_id, plain, open_left in _states(touched):
        if not plain or (not open_left and task_id in busy):
            settled.unsettled.add(task_id)
        elif not open_left:
            over.append(task_id)
    if not over:
        return
    ends: dict[int, tuple[StepFacts, StepEnd]] = {}
    for facts in _facts(over):
        end = decide(facts)
        if end is None:
            settled.unsettled.add(facts.task.id)
        else:
            ends[facts.task.id] = (facts, end)
            settled.ended[facts.task.id] = (facts.task.uuid, facts.position, end)
    _write_ends(list(ends.values()))


LOCK_TASKS = "SELECT id FROM task WHERE id IN ({}) ORDER BY id FOR UPDATE"
STATES = (
    "SELECT t.id, t.status, t.kill_requested, t.forks, t.check_only, s.status, s.kind,"
    " EXISTS (SELECT 1 FROM execution e WHERE e.task_id = t.id"
    " AND e.status IN ('queued', 'pending', 'running') AND NOT e.superseded)"
    " FROM task t JOIN subtask s ON s.task_id = t.id AND s.position = t.position"
    " WHERE t.id IN ({})"
)


def _states(touched: list[int]) -> list[tuple[int, bool, bool]]:
    """(task, whether its current step runs plain, whether an execution is open), the plain
    case being the one where the engine's settle would only wait (executions open) or end the
    step: the task running, no kill asked, no window or dry run (nothing queued to let out),
    a cmd step running. A task without its current step is not plain."""
    found: dict[int, tuple[int, bool, bool]] = {}
    for tid, status, kill, forks, check, sub_status, kind, open_left in _run(
        STATES.format(_marks(len(touched))), touched
    ).fetchall():
        plain = (
            status == TaskStatus.RUNNING
            and not kill
            and not forks
            and not check
            and sub_status == SubtaskStatus.RUNNING
            and kind == StepKind.CMD
        )
        found[int(tid)] = (int(tid), plain, bool(open_left))
    return [found.get(t, (t, False, True)) for t in touched]


FACTS = (
    "SELECT t.id, t.uuid, t.project_id, t.job_type, t.check_only, t.variables, t.started_at,"
    " s.id, s.position, s.pause, s.spec,"
    " (SELECT COUNT(*) FROM subtask x WHERE x.task_id = t.id),"
    " (SELECT COUNT(*) FROM execution e WHERE e.subtask_id = s.id AND NOT e.superseded),"
    " (SELECT COUNT(*) FROM execution e WHERE e.subtask_id = s.id AND NOT e.superseded"
    " AND e.status <> 'success'),"
    " (SELECT COUNT(*) FROM subtask x WHERE x.task_id = t.id AND x.status = 'fail')"
    " FROM task t JOIN subtask s ON s.task_id = t.id AND s.position = t.position"
    " WHERE t.id IN ({})"
)
EARLIER_FAILED = (
    "SELECT position FROM subtask WHERE task_id = ? AND status = 'fail' AND position <> ?"
    " ORDER BY position"
)
END_STEP = (
    "UPDATE subtask SET status = ?, finished_at = COALESCE(?, finished_at)"
    " WHERE id = ? AND status = 'running'"
)
FAILED = (
    "SELECT subtask_id, node, status, reason FROM execution"
    " WHERE subtask_id IN ({}) AND NOT superseded AND status <> 'success' ORDER BY id"
)


def _facts(task_ids: list[int]) -> list[StepFacts]:
    rows = _run(FACTS.format(_marks(len(task_ids))), task_ids).fetchall()
    failed = _failed_of([int(r[7]) for r in rows if r[13]])
    found: list[StepFacts] = []
    for (
        tid,
        uuid,
        project,
        job_type,
        check,
        variables,
        started,
        sid,
        pos,
        pause,
        spec,
        steps,
        total,
        _,
        bad,
    ) in rows:
        task = Task(
            id=tid,
            uuid=uuid,
            project=project,
            job_type=job_type,
            check_only=bool(check),
            variables=variables,
            started_at=_read_time(started),
        )
        earlier = _failed_positions(int(tid), int(pos)) if bad else []
        ended = failed.get(int(sid), [])
        found.append(
            StepFacts(task, int(sid), int(pos), pause, spec, int(steps), int(total), ended, earlier)
        )
    return found


def _failed_of(subtask_ids: list[int]) -> dict[int, list[Execution]]:
    """The failed live executions of these steps, by step, in id order."""
    failed: dict[int, list[Execution]] = {}
    if subtask_ids:
        sql = FAILED.format(_marks(len(subtask_ids)))
        for sid, node, status, reason in _run(sql, subtask_ids).fetchall():
            row = Execution(node=node, status=status, reason=reason)
            failed.setdefault(int(sid), []).append(row)
    return failed


def _failed_positions(task_id: int, current: int) -> list[int]:
    return [int(p) for (p,) in _run(EARLIER_FAILED, (task_id, current)).fetchall()]


def _write_ends(ends: list[tuple[StepFacts, StepEnd]]) -> None:
    """The steps' and tasks' ends as set_subtask, tasks.finish and tasks.set_status write
    them, with their outbox notices and version variables."""
    if not ends:
        return
    now = utcnow()
    stamp = _stamp(now)
    steps = [
        (end.step.value, None if end.step == SubtaskStatus.DECISION else stamp, facts.subtask_id)
        for facts, end in ends
    ]
    _many(END_STEP, steps)
    finals = [(f, e) for f, e in ends if e.task in FINAL_TASK]
    _many(
        "UPDATE task SET status = ?, reason = ?, finished_at = ?, runtime_ms = ?"
        f" WHERE id = ? AND status NOT IN ({_marks(len(FINAL))})",
        [
            (e.task.value, e.reason, stamp, _runtime(f.task.started_at, now), f.task.id, *FINAL)
            for f, e in finals
        ],
    )
    waits = [(e.task.value, f.task.id, e.task.value) for f, e in ends if e.task not in FINAL_TASK]
    _many("UPDATE task SET status = ? WHERE id = ? AND status <> ?", waits)
    insert_rows(
        Notice,
        [
            {
                "project_id": f.task.project_id,
                "task_id": f.task.id,
                "kind": NoticeKind.TASK,
                "event": e.task.value,
                "payload": json.dumps({}, sort_keys=True),
            }
            for f, e in ends
        ],
    )
    for facts, end in ends:
        if end.versions:
            vv.write(facts.task.project_id, end.versions)


def _runtime(started: dt.datetime | None, now: dt.datetime) -> int | None:
    return None if started is None else reports.elapsed_ms(started, now)
