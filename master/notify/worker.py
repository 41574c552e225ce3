"""The outbox's worker, in the master's event loop: expands new notices into deliveries and
sends the due ones, retrying with back-off. Several masters may run it on one database: notices
are claimed with row locks (SKIP LOCKED), deliveries by a guarded UPDATE with a lease. It is
poked after every task change this master commits (TaskEvents), and otherwise looks for work
every `poll` seconds with two indexed queries (notices another master wrote, retries due)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from master.db.connection import DbRunner
from master.db.models import Delivery, utcnow
from master.errors import Unavailable
from master.notify.channels import SendError, Sms, Smtp, callback, post_json
from master.notify.expand import CALLBACK, EMAIL, SMS, WEBHOOK, Expander
from master.notify.retry import RetryPolicy
from master.store import noticebatch
from master.store import notify as store

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Jobfleet-Signature"
MIN_GAP = 0.05  # seconds between two rounds at most: pokes come with every change of a task


@dataclass(frozen=True)
class Channels:
    smtp: Smtp | None = None
    sms: Sms = Sms()


class NotifyWorker:
    def __init__(
        self,
        run_db: DbRunner,
        expander: Expander,
        channels: Channels,
        policy: RetryPolicy,
        poll: float = 0.25,
        lease: float = 60.0,
        parallel: int = 8,
    ) -> None:
        self.run_db = run_db
        self.expander = expander
        self.channels = channels
        self.policy = policy
        self.poll = poll
        self.lease = lease
        self._slots = asyncio.Semaphore(parallel)
        self._wake = asyncio.Event()

    def poke(self) -> None:
        """Look for work now (after a commit this process made)."""
        self._wake.set()

    async def run(self) -> None:
        """Until cancelled; a database outage or a bug skips a round, never stops the loop."""
        while True:
            self._wake.clear()  # before the round: a poke during it makes the next one at once
            try:
                await self.round()
            except Unavailable as exc:
                logger.warning("notify round skipped: %s", exc)
            except Exception:
                logger.exception("notify round failed; trying again")
            await asyncio.sleep(MIN_GAP)  # a burst of pokes (live output) costs one round
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll)
            except TimeoutError:
                pass

    async def round(self) -> None:
        if not await self.run_db(store.has_work, utcnow()):
            return
        while await self.run_db(noticebatch.expand_notices, self.expander) == noticebatch.BATCH:
            pass  # a full batch: there may be more
        while due := await self.run_db(store.claim_due, self.lease):
            await asyncio.gather(*(self._send(d) for d in due))

    async def _send(self, delivery: Delivery) -> None:
        async with self._slots:
            number = int(delivery.attempts) + 1
            try:
                said = await asyncio.to_thread(self._deliver, delivery)
            except SendError as exc:
                retry_at = self.policy.retry_at(number, utcnow())
                logger.info(
                    "delivery %d (%s) attempt %d failed: %s",
                    delivery.id,
                    delivery.channel,
                    number,
                    exc,
                )
                await self.run_db(
                    store.record_attempt, delivery.id, number, False, str(exc), retry_at
                )
                return
            await self.run_db(store.record_attempt, delivery.id, number, True, said, None)

    def _deliver(self, delivery: Delivery) -> str:
        channel = delivery.channel
        if channel == EMAIL:
            if self.channels.smtp is None:
                raise SendError("no mail server configured (--smtp-url)")
            if not delivery.address:
                raise SendError(f"no mail address for user {delivery.recipient} (--mail-domain)")
            return self.channels.smtp.send(delivery.address, delivery.subject, delivery.body)
        if channel == SMS:
            return self.channels.sms.send(delivery.address, delivery.body)
        if channel == WEBHOOK:
            return post_json(
                delivery.address, delivery.body, {SIGNATURE_HEADER: delivery.signature}
            )
        if channel == CALLBACK:
            return callback(delivery.address, delivery.body)
        raise SendError(f"unknown channel {channel}")
