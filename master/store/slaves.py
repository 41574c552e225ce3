"""Slaves the master has seen: registered on attach, touched by heartbeats."""

from __future__ import annotations

import datetime as dt

from master.models import Slave, utcnow


def register(name: str, hostname: str, addresses: list[str], version: str) -> None:
    now = utcnow()
    (
        Slave.insert(
            name=name,
            hostname=hostname,
            addresses=",".join(addresses),
            version=version,
            first_seen=now,
            last_seen=now,
        )
        .on_conflict(
            conflict_target=[Slave.name],
            update={
                Slave.hostname: hostname,
                Slave.addresses: ",".join(addresses),
                Slave.version: version,
                Slave.last_seen: now,
            },
        )
        .execute()
    )


def touch(names: list[str], when: dt.datetime | None = None) -> None:
    if names:
        Slave.update(last_seen=when or utcnow()).where(Slave.name.in_(names)).execute()


def list_slaves() -> list[Slave]:
    return list(Slave.select().order_by(Slave.name))


def known(names: list[str]) -> set[str]:
    return {s.name for s in Slave.select(Slave.name).where(Slave.name.in_(names))}
