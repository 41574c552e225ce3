"""Who a slave is: its enrolment, and the check of each attach.

A slave is known by its name and proves it with a credential of its own. Its first attach
enrols it: the slave makes a random credential, keeps it in its state dir and presents it with
its enrolment token; the master keeps only its sha256 bound to the name and sends it back in the
Welcome (an older slave presents none: the master makes one and the Welcome carries it). From
then on the slave presents it in every Hello, and a Hello under that name without it is refused,
so no one can attach in its place (and two machines cloned with one name cannot both be it).
As the slave holds its credential before it dials, a first enrolment cut by its master's death
(the row written, the Welcome lost) is simply found done when the slave tries again, on any
master.

What may enrol a slave, and which projects it may then serve:
- the master's join token: the projects the slave asks for (`--projects`; none = every project);
- a project token: that project only (the project's owners may bring slaves of their own, which
  never see another project's work or SSH secrets);
- nothing, only when the master has no join token (it then listens on loopback only or requires
  mutual TLS; see master/cli.py): like the join token. The admin token never enrols a slave.
A slave may narrow what it serves on a later attach (`--projects`), never widen it: that takes a
new enrolment (`jobfleet-master slaves forget NAME`, then the join token again).
"""

from __future__ import annotations

import hmac
import secrets

from master.catalogue.validate import NODE_NAME
from master.db.models import Slave
from master.domain import ALL_PROJECTS, Identity, Introduction
from master.errors import InvalidArgument, PermissionDenied
from master.secrets import digest
from master.store import slaves, tokens


def admit(intro: Introduction, join_digest: str) -> Identity:
    """The identity of an attaching slave, enrolling it if its name is new; PermissionDenied
    naming why otherwise. `join_digest`: sha256 of the master's join token ("" = none, open
    enrolment). Runs on a database thread."""
    if not NODE_NAME.match(intro.name):
        raise InvalidArgument(f"not a valid slave name: {intro.name[:255]!r}", "name")
    row = slaves.by_name(intro.name)
    if row is not None and row.credential:
        return _enrolled(intro, row)
    allowed, by = _enrolment_grant(intro, join_digest)
    projects = _narrowed(intro, allowed)
    credential = _proposed(intro) or secrets.token_urlsafe(32)
    stored = "" if projects is None else ",".join(str(p) for p in sorted(projects))
    if not slaves.enrol(intro.name, digest(credential), stored, by):
        row = slaves.by_name(intro.name)  # the same slave's enrolment on another master won?
        if row is not None and intro.credential:
            return _enrolled(intro, row)
        raise PermissionDenied(f"slave {intro.name} was enrolled meanwhile by another slave")
    return Identity(intro.name, projects, intro.run_as, intro.instance, credential)


MIN_PROPOSED = 32
"""Characters a credential a slave makes for itself has at least (the slave makes 43)."""


def _proposed(intro: Introduction) -> str:
    """The credential a slave enrolling for the first time made itself and presents with its
    enrolment token (a slave of today does; an older one presents none and gets one made
    here). Bound to the name, it is what the slave holds even when the Welcome carrying it
    never arrives (its master died in between): retried against any master with the same
    credential, the enrolment is found done; anyone else presenting the name is refused as
    always."""
    if intro.credential and len(intro.credential) < MIN_PROPOSED:
        raise InvalidArgument(
            f"slave {intro.name}: a credential of at least {MIN_PROPOSED} characters", "credential"
        )
    return intro.credential


def _enrolled(intro: Introduction, row: Slave) -> Identity:
    presented = digest(intro.credential) if intro.credential else ""
    if not presented or not hmac.compare_digest(presented, row.credential):
        why = "a wrong credential" if intro.credential else "no credential"
        raise PermissionDenied(
            f"the name {intro.name} is enrolled to another slave and this one presented {why}; "
            "a slave keeps its credential in its --state-dir (to enrol a new machine under "
            f"this name: jobfleet-master slaves forget {intro.name})",
            "credential",
        )
    granted = None if not row.projects else frozenset(int(p) for p in row.projects.split(","))
    return Identity(intro.name, _narrowed(intro, granted), intro.run_as, intro.instance)


def _enrolment_grant(intro: Introduction, join_digest: str) -> tuple[frozenset[int] | None, str]:
    """What the presented enrolment credential allows: (projects, how it enrolled)."""
    token = intro.join_token
    if join_digest and token and hmac.compare_digest(digest(token), join_digest):
        return ALL_PROJECTS, "join token"
    row = tokens.by_digest(digest(token)) if token else None
    if row is not None:
        return frozenset({row.project_id}), f"project {row.project_id} token {row.id}"
    if join_digest:
        why = "a wrong join token" if token else "no join token"
        raise PermissionDenied(
            f"enrolment of slave {intro.name} refused: {why} (the master's join token or a "
            "project token enrols a slave)",
            "join_token",
        )
    if token:
        raise PermissionDenied(
            f"enrolment of slave {intro.name} refused: unknown token", "join_token"
        )
    return ALL_PROJECTS, "open port"


def _narrowed(intro: Introduction, allowed: frozenset[int] | None) -> frozenset[int] | None:
    """The projects asked for (none asked: all allowed), refused past what is allowed."""
    if not intro.projects:
        return allowed
    asked = frozenset(intro.projects)
    if allowed is not None and not asked <= allowed:
        extra = ", ".join(str(p) for p in sorted(asked - allowed))
        mine = ", ".join(str(p) for p in sorted(allowed))
        raise PermissionDenied(
            f"slave {intro.name} may serve project(s) {mine} only, not {extra}", "projects"
        )
    return asked


def may_serve(row: Slave, attached: Identity | None, project_id: int) -> bool:
    """Whether the slave serves the project (attached: as it serves now; else as enrolled)."""
    if attached is not None:
        return attached.serves(project_id)
    return not row.projects or str(project_id) in row.projects.split(",")
