"""Relays: work that must happen on another master of the database, asked through rows.

Sending executions to a slave and killing them happen where the slave's stream is
(`slave.attached_to`); settling a task and its subtask controls where its engine is
(`task.owner`). The master that learns of the work writes a row in `relay` addressed to that
master and NOTIFYs its inbox (store/relays.py); the target takes its rows in one transaction
(also every few seconds, in case a NOTIFY was lost) and does the work as if it had been asked
itself. No master ever calls another. A master that dies leaves its rows to the master that
takes its tasks over: `readdress(dead, taker)`, called in the takeover.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from typing import Any

from master.db.connection import DbRunner
from master.domain import Control, Identity, KillOrder, RelayKind
from master.errors import Unavailable
from master.store import relays, tasks
from master.store.relays import readdress
from master.tasks.engine import TaskEngine

__all__ = ["Relays", "readdress"]
logger = logging.getLogger(__name__)
SWEEP_EVERY = 3.0
"""Seconds between looks at the inbox without a NOTIFY (a lost one delays, never loses)."""
SLAVES_FRESH_FOR = 1.0
"""Seconds the slaves attached to other masters are routed to as last read."""
CONTROL_WAIT = 5.0
"""Seconds a relayed control waits for the task's owner to apply it before it answers."""


class Relays:
    """This master's relays both ways (the engine's `Elsewhere`): `wake()` takes what is
    addressed to it; `run()` sweeps the inbox until cancelled."""

    def __init__(self, run_db: DbRunner, name: str, engine: TaskEngine) -> None:
        self.run_db = run_db
        self.name = name
        self.engine = engine
        self._dispatches: dict[str, list[int]] = defaultdict(list)
        self._writing: set[asyncio.Task[None]] = set()
        self._taking: asyncio.Task[None] | None = None
        self._again = False
        self._slaves: dict[str, Identity] = {}
        self._slaves_at = -SLAVES_FRESH_FOR

    # --- asked of others

    async def slaves(self) -> dict[str, Identity]:
        """Read again at most every SLAVES_FRESH_FOR seconds: a fleet's thousands of slaves are
        not read at every submit (a slave that moved meanwhile is relayed on by its old master,
        or its executions wait for its attach)."""
        now = time.monotonic()
        if now - self._slaves_at >= SLAVES_FRESH_FOR:
            found = await self.run_db(relays.attached_elsewhere, self.name)
            self._slaves = {name: identity for name, (identity, _) in found.items()}
            self._slaves_at = now
        return self._slaves

    async def master_of(self, slave: str) -> str | None:
        return (await self.run_db(relays.attached_to, [slave])).get(slave)

    def dispatch(self, slave: str, execution_id: int) -> None:
        """Relayed at the end of this turn of the event loop, with the others of the turn."""
        if not self._dispatches:
            asyncio.get_running_loop().call_soon(self._write_dispatches)
        self._dispatches[slave].append(execution_id)

    def _write_dispatches(self) -> None:
        pending, self._dispatches = self._dispatches, defaultdict(list)
        task = asyncio.create_task(self._relay_dispatches(dict(pending)))
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def _relay_dispatches(self, pending: dict[str, list[int]]) -> None:
        try:
            await self.run_db(_write_dispatches, self.name, pending)
        except Exception:  # each stays pending: sent when its slave attaches again
            logger.exception("dispatch relays not written: %s", pending)

    async def kill(self, slaves: dict[int, str], reason: str) -> set[int]:
        return await self.run_db(_write_kills, self.name, slaves, reason)

    async def control(
        self, owner: str, task_id: int, subtask_uuid: str, control: Control, actor: str
    ) -> None:
        body = {"task": task_id, "subtask": subtask_uuid, "control": control.value, "actor": actor}
        with self.engine.events.subscribe(task_id) as changed:
            await self.run_db(relays.add, owner, RelayKind.CONTROL, [body])
            logger.info("task %d: %s relayed to its master %s", task_id, control, owner)
            try:
                await asyncio.wait_for(changed.wait(), CONTROL_WAIT)
            except TimeoutError:
                logger.warning("task %d: master %s has not applied %s yet", task_id, owner, control)

    async def settle(self, owner: str, task_id: int) -> None:
        await self.run_db(relays.add, owner, RelayKind.SETTLE, [{"task": task_id}])

    async def resend_pending(self, task_ids: list[int]) -> None:
        """Send again the pending executions of tasks this master has just taken on (its own
        at its start, or a dead master's): the master that wrote them may have died between
        the commit and the send (or its relay), and their slave, attached elsewhere, would
        never get them. A slave ignores an order it already has."""
        ids = await self.run_db(relays.pending_of_tasks, task_ids)
        if ids:
            logger.info("master %s: %d pending execution(s) sent again", self.name, len(ids))
            await self._send(ids)

    # --- asked of this master

    def wake(self) -> None:
        """Take this master's relays now (once more, if a take is under way)."""
        if self._taking is not None:
            self._again = True
            return
        self._taking = asyncio.create_task(self._take_all())

    async def run(self) -> None:
        """Sweep the inbox every few seconds until cancelled, taking on first the relays left
        to masters that are gone (the takeover hands them over too: `readdress`)."""
        while True:
            try:
                if await self.run_db(relays.adopt_orphans, self.name):
                    logger.info("master %s took on relays left to masters gone", self.name)
            except Unavailable as exc:
                logger.warning("relays of masters gone not looked at (%s)", exc)
            self.wake()
            await asyncio.sleep(SWEEP_EVERY)

    async def _take_all(self) -> None:
        try:
            while True:
                self._again = False
                taken = await self.run_db(relays.take, self.name)
                if taken:
                    await self._do(taken)
                if not self._again and len(taken) < relays.TAKEN_AT_ONCE:
                    return
        except Unavailable as exc:
            logger.warning("relays not taken (%s); again at the next wake-up", exc)
        except Exception:
            logger.exception("relays not taken; again at the next wake-up")
        finally:
            self._taking = None

    async def _do(self, taken: list[relays.Taken]) -> None:
        """Dispatches first, then kills (a kill relayed after a dispatch finds it sent), then
        controls, then settles (one per task, however many were asked)."""
        by_kind: dict[RelayKind, list[dict[str, Any]]] = defaultdict(list)
        for item in taken:
            by_kind[item.kind].append(item.body)
        ids = [i for body in by_kind[RelayKind.DISPATCH] for i in body["executions"]]
        if ids:
            await self._send(ids)
        for body in by_kind[RelayKind.KILL]:
            await self._kill(body["executions"], body["reason"])
        for body in by_kind[RelayKind.CONTROL]:
            await self._control(body)
        for task_id in sorted({body["task"] for body in by_kind[RelayKind.SETTLE]}):
            await self._guarded(self.engine.settle(task_id), f"task {task_id}: settle")

    async def _send(self, ids: list[int]) -> None:
        pending = await self.run_db(relays.pending_among, ids)
        here = [r for r in pending if self.engine.sessions.attached(r.slave)]
        away = {r.id: r.slave for r in pending if not self.engine.sessions.attached(r.slave)}
        if away:  # moved on meanwhile: to its master now, or pending until it attaches
            await self.run_db(_write_dispatches, self.name, _by_slave(away))
        await self._guarded(self.engine.send_relayed(here), f"executions {ids}: dispatch")

    async def _kill(self, slaves: dict[str, str], reason: str) -> None:
        gone: list[int] = []
        for key, slave in slaves.items():
            if not self.engine.sessions.send(slave, KillOrder(int(key), reason)):
                gone.append(int(key))
        if gone:  # the slave left this master meanwhile: to its master now, or ended here
            relayed = await self.run_db(
                _write_kills, self.name, {i: slaves[str(i)] for i in gone}, reason
            )
            await self.engine.close_killed([i for i in gone if i not in relayed], reason)

    async def _control(self, body: dict[str, Any]) -> None:
        task = await self.run_db(tasks.get_by_id, body["task"])
        control = Control(body["control"])
        await self._guarded(
            self.engine.control(
                task.project_id, task.uuid, body["subtask"], control, body["actor"]
            ),
            f"task {task.uuid}: relayed {control}",
        )

    @staticmethod
    async def _guarded(work: Any, what: str) -> None:
        """Do one relayed piece of work; its failure is logged, the others go on."""
        try:
            await work
        except Exception:
            logger.exception("%s failed", what)


def _by_slave(slaves: dict[int, str]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for execution_id, slave in slaves.items():
        grouped[slave].append(execution_id)
    return grouped


def _write_dispatches(me: str, pending: dict[str, list[int]]) -> None:
    """On a database thread: each slave's executions to the master it is attached to now
    (none, or this one: they stay pending, sent when the slave attaches)."""
    where = relays.attached_to(pending)
    targets: dict[str, list[int]] = defaultdict(list)
    for slave, ids in pending.items():
        master = where.get(slave)
        if master is None or master == me:
            logger.warning(
                "exec(s) %s slave %s: attached nowhere; sent when it attaches", ids, slave
            )
        else:
            targets[master] += ids
    for master, ids in targets.items():
        relays.add(master, RelayKind.DISPATCH, [{"executions": sorted(ids)}])


def _write_kills(me: str, slaves: dict[int, str], reason: str) -> set[int]:
    """On a database thread: kills relayed to the masters the slaves are attached to; the ids
    relayed."""
    where = relays.attached_to(slaves.values())
    targets: dict[str, dict[str, str]] = defaultdict(dict)
    for execution_id, slave in slaves.items():
        master = where.get(slave)
        if master is not None and master != me:
            targets[master][str(execution_id)] = slave
    for master, these in targets.items():
        relays.add(master, RelayKind.KILL, [{"executions": these, "reason": reason}])
    return {int(i) for these in targets.values() for i in these}
