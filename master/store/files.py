"""The file server's named files (their bytes are blobs in the file store)."""

from __future__ import annotations

from master.db.connection import write_transaction
from master.db.models import StoredFile, utcnow
from master.domain import ListFilter
from master.errors import NotFound
from master.store.filters import audited, page


def save(project_id: int, name: str, sha256: str, size: int, actor: str) -> StoredFile:
    """Store a name; uploading a name again replaces its content."""
    now = utcnow()
    with write_transaction():
        row: StoredFile | None = StoredFile.get_or_none(
            (StoredFile.project == project_id) & (StoredFile.name == name)
        )
        if row is None:
            return StoredFile.create(
                project=project_id,
                name=name,
                sha256=sha256,
                size=size,
                create_user=actor,
                edit_user=actor,
                create_time=now,
                edit_time=now,
            )
        row.sha256, row.size, row.edit_user, row.edit_time = sha256, size, actor, now
        row.save()
        return row


def search(project_id: int, f: ListFilter) -> tuple[list[StoredFile], int]:
    query = audited(
        StoredFile.select().where(StoredFile.project == project_id), StoredFile, f, StoredFile.name
    )
    return page(query, f, StoredFile.id)


def by_name(project_id: int, name: str) -> StoredFile:
    row: StoredFile | None = StoredFile.get_or_none(
        (StoredFile.project == project_id) & (StoredFile.name == name)
    )
    if row is None:
        raise NotFound(f"no file {name!r} in project {project_id}'s file server", "src_path")
    return row


def delete(project_id: int, file_id: int) -> None:
    deleted = (
        StoredFile.delete()
        .where((StoredFile.project == project_id) & (StoredFile.id == file_id))
        .execute()
    )
    if not deleted:
        raise NotFound(f"file {file_id} not found in project {project_id}", "id")


def find(project_id: int, name: str = "", file_id: int = 0) -> StoredFile | None:
    """The project's file of that name (or row id), if any."""
    key = StoredFile.id == file_id if file_id else StoredFile.name == name
    found: StoredFile | None = StoredFile.get_or_none((StoredFile.project == project_id) & key)
    return found
