"""Wake-ups between the masters of one PostgreSQL database, by LISTEN/NOTIFY.

Three channels: `jobfleet_crontabs`, whose payload is the id of a crontab created, edited,
switched or deleted (every master's scheduler reloads it: any master may claim its next tick);
`jobfleet_tasks`, whose payload is the ids of tasks that changed (each master
announces them on its own TaskEvents, so followers, long polls and gateway watches on every
master see every change), and each master's inbox (store/relays.py: relays are rows, the
NOTIFY only says "look"). A NOTIFY never carries a fact: a lost one delays a follower until
its next read, and the inbox is swept every few seconds anyway.

One connection LISTENs, read on the event loop when its socket is readable (no polling
thread); another sends, from one thread of its own. Changes published in one turn of the
event loop leave as one NOTIFY (split only past PostgreSQL's payload limit).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from master.db.listen import Channel, Heard, Lost
from master.store.relays import inbox_channel
from master.tasks.events import TaskEvents

logger = logging.getLogger(__name__)
TASKS_CHANNEL = "jobfleet_tasks"
CRONTABS_CHANNEL = "jobfleet_crontabs"
MAX_PAYLOAD = 8000
"""Bytes of one NOTIFY's payload at most (PostgreSQL refuses more than 7999 + NUL)."""
RECONNECT_AFTER = (0.2, 0.5, 1.0, 2.0, 5.0)
"""Seconds before each try to connect again (the last repeats)."""


def payloads(task_ids: Iterable[int], limit: int = MAX_PAYLOAD) -> list[str]:
    """The ids, comma-separated, in as few payloads of at most `limit` bytes as they fit."""
    found: list[str] = []
    current: list[str] = []
    size = 0
    for task_id in sorted(set(task_ids)):
        text = str(task_id)
        grown = size + len(text) + (1 if current else 0)
        if current and grown > limit:
            found.append(",".join(current))
            current, grown = [], len(text)
        current.append(text)
        size = grown
    if current:
        found.append(",".join(current))
    return found


def task_ids(payload: str) -> list[int]:
    """The ids in a payload; what is not an id is skipped (another sender's mistake)."""
    return [int(p) for p in payload.split(",") if p.strip().isdigit()]


class Bus:
    """This master's end of the wake-ups: `start()`, then TaskEvents' changes leave batched and
    other masters' arrive as `TaskEvents.heard`; `on_inbox` is called when relays are addressed
    to this master (and after each reconnect, as a NOTIFY may have been missed meanwhile)."""

    def __init__(
        self,
        url: str,
        name: str,
        events: TaskEvents,
        on_inbox: Callable[[], None],
        connect: Callable[[str, str], Channel] = Channel,
        on_crontab: Callable[[int | None], None] | None = None,
    ) -> None:
        self.url = url
        self.name = name
        self.inbox = inbox_channel(name)
        self.events = events
        self.on_inbox = on_inbox
        self.on_crontab = on_crontab
        """Called with the id of a crontab another master changed; with None after a reconnect
        (a change may have been missed meanwhile: reload them all)."""
        self._connect = connect
        self._listener: Channel | None = None
        self._sender: Channel | None = None
        self._sender_pid = 0
        """The sending connection's backend: its own NOTIFYs come back to the listener."""
        self._sending = ThreadPoolExecutor(1, thread_name_prefix="bus-notify")
        self._pending: set[int] = set()
        self._flush_scheduled = False
        self._reconnecting: asyncio.Task[None] | None = None
        self._closed = False
        self.sent = 0
        """NOTIFYs sent on the tasks channel (tests read it)."""

    async def start(self) -> None:
        """Listen (raises when PostgreSQL cannot be reached), then send this master's changes."""
        await self._listen()
        self.events.send_to(self.changed)

    async def _listen(self) -> None:
        listener = await asyncio.to_thread(self._connect, self.url, "listen")
        try:
            channels = [TASKS_CHANNEL, self.inbox]
            if self.on_crontab is not None:
                channels.append(CRONTABS_CHANNEL)
            await asyncio.to_thread(listener.listen, channels)
        except BaseException:
            listener.close()
            raise
        self._listener = listener
        asyncio.get_running_loop().add_reader(listener.fileno(), self._readable)

    def changed(self, task_id: int) -> None:
        """A change published on this master: told to the others at the end of this turn."""
        self._pending.add(task_id)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def crontab_changed(self, crontab_id: int) -> None:
        """A crontab changed here (stored): the other masters' schedulers reload it."""
        if not self._closed:
            self._sending.submit(self._notify, [(CRONTABS_CHANNEL, str(crontab_id))])

    def _flush(self) -> None:
        self._flush_scheduled = False
        ids, self._pending = self._pending, set()
        if ids and not self._closed:
            messages = [(TASKS_CHANNEL, p) for p in payloads(ids)]
            self.sent += len(messages)
            self._sending.submit(self._notify, messages)

    def _notify(self, messages: list[tuple[str, str]]) -> None:
        """On the sending thread: send, connecting (again) when needed; a NOTIFY that cannot
        go is dropped with a warning (followers read again at their next wake or timeout)."""
        for attempt in range(2):
            try:
                if self._sender is None:
                    self._sender = self._connect(self.url, "notify")
                    self._sender_pid = self._sender.pid
                self._sender.notify(messages)
                return
            except Lost as exc:
                if self._sender is not None:
                    self._sender.close()
                    self._sender = None
                if attempt:
                    logger.warning("changes not told to the other masters: %s", exc)

    def _readable(self) -> None:
        listener = self._listener
        if listener is None:
            return
        try:
            heard = listener.heard()
        except Lost as exc:
            logger.warning("the wake-up connection to PostgreSQL was lost (%s); reconnecting", exc)
            self._lost(listener)
            return
        self._take(heard)

    def _take(self, heard: list[Heard]) -> None:
        inbox = False
        for notice in heard:
            if notice.channel == TASKS_CHANNEL and notice.pid != self._sender_pid:
                for task_id in task_ids(notice.payload):
                    self.events.heard(task_id)
            elif notice.channel == self.inbox:
                inbox = True
            elif notice.channel == CRONTABS_CHANNEL and notice.pid != self._sender_pid:
                if self.on_crontab is not None and notice.payload.strip().isdigit():
                    self.on_crontab(int(notice.payload))
        if inbox:
            self.on_inbox()

    def _lost(self, listener: Channel) -> None:
        asyncio.get_running_loop().remove_reader(listener.fileno())
        listener.close()
        self._listener = None
        if not self._closed and self._reconnecting is None:
            self._reconnecting = asyncio.create_task(self._reconnect())

    async def _reconnect(self) -> None:
        attempt = 0
        while not self._closed:
            await asyncio.sleep(RECONNECT_AFTER[min(attempt, len(RECONNECT_AFTER) - 1)])
            attempt += 1
            try:
                await self._listen()
            except Lost as exc:
                logger.debug("wake-up connection: not yet (%s)", exc)
                continue
            logger.info("the wake-up connection to PostgreSQL is back")
            self._reconnecting = None
            self.on_inbox()  # relays may have come while it was down
            if self.on_crontab is not None:
                self.on_crontab(None)  # and crontab changes
            return

    async def close(self) -> None:
        """Stop listening and sending; safe to call twice."""
        self._closed = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        if self._listener is not None:
            asyncio.get_running_loop().remove_reader(self._listener.fileno())
            self._listener.close()
            self._listener = None
        await asyncio.to_thread(self._sending.shutdown)
        if self._sender is not None:
            self._sender.close()
