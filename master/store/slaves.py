"""Slaves the master knows: their enrolment (the hash of each one's credential, the projects it
may serve), registered on attach, touched by heartbeats."""

from __future__ import annotations

import datetime as dt

from master.db.connection import write_transaction
from master.db.models import Slave, utcnow
from master.store import startreads


def by_name(name: str) -> Slave | None:
    row: Slave | None = Slave.get_or_none(Slave.name == name)
    return row


def enrol(name: str, credential: str, projects: str, enrolled_by: str) -> bool:
    """Bind `name` to a credential (its sha256), unless another credential holds it already;
    False when it does (a concurrent enrolment under the same name won)."""
    now = utcnow()
    with write_transaction():
        row = by_name(name)
        if row is not None and row.credential:
            return False
        values = {
            Slave.credential: credential,
            Slave.projects: projects,
            Slave.enrolled_by: enrolled_by,
            Slave.enrolled_at: now,
        }
        if row is None:
            Slave.insert({Slave.name: name, **values}).execute()
        else:
            Slave.update(values).where(Slave.id == row.id).execute()
    return True


def forget(name: str) -> bool:
    """Drop a slave's enrolment (a machine retired, or its state dir lost): the name may enrol
    again. Its history (executions name it) stays."""
    changed = Slave.update(credential="", projects="", enrolled_by="", enrolled_at=None).where(
        Slave.name == name
    )
    return bool(changed.execute())


def register(
    name: str, hostname: str, addresses: list[str], version: str, run_as: list[str] | None = None
) -> None:
    """What an attached slave says of itself, kept for listings (its enrolment stays)."""
    now = utcnow()
    accounts = ",".join(run_as or [])
    (
        Slave.insert(
            name=name,
            hostname=hostname,
            addresses=",".join(addresses),
            version=version,
            run_as=accounts,
            first_seen=now,
            last_seen=now,
        )
        .on_conflict(
            conflict_target=[Slave.name],
            update={
                Slave.hostname: hostname,
                Slave.addresses: ",".join(addresses),
                Slave.version: version,
                Slave.run_as: accounts,
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


def known(names: list[str], project_id: int) -> set[str]:
    """Those of `names` that are slaves enrolled to serve the project (every project's, or
    this one among theirs): to another project, a slave is no node at all."""
    rows = startreads.slaves_named(names)
    return {name for name, projects, _ in rows if serves(projects, project_id)}


def addresses_of(names: list[str], project_id: int) -> dict[str, list[str]]:
    """The addresses each of `names` that is a slave serving the project reported, first first
    (as `known`: to another project, a slave is no node at all)."""
    return {
        name: [a for a in addresses.split(",") if a]
        for name, projects, addresses in startreads.slaves_named(names)
        if serves(projects, project_id)
    }


def serves(projects: str, project_id: int) -> bool:
    """Whether a slave enrolled for `projects` ("" = every one) serves the project."""
    return not projects or str(project_id) in projects.split(",")


def by_credential(name: str, credential_digest: str) -> Slave | None:
    """The slave `name` if `credential_digest` is its credential's (FileService callers)."""
    row: Slave | None = Slave.get_or_none(
        (Slave.name == name) & (Slave.credential == credential_digest) & (Slave.credential != "")
    )
    return row
