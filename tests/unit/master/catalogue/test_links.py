"""Link keys: a download key opens its own file of its own project until it expires, and nothing
else; a variable's key is the same for the same variable and another for any other."""

from __future__ import annotations

from pathlib import Path

import peewee
import pytest
from cryptography.fernet import Fernet

from master.catalogue import links
from master.db.models import StoredFile
from master.domain import Step, StepKind
from master.errors import NotFound
from master.secrets import SecretBox
from master.store import files, jobs, projects

NOW = 1_700_000_000.0
SHA_A, SHA_B = "a" * 64, "b" * 64


@pytest.fixture
def box(tmp_path: Path) -> SecretBox:
    return SecretBox(Fernet.generate_key(), tmp_path / "key")


@pytest.fixture
def stored(database: peewee.Database) -> tuple[StoredFile, int]:
    """A file of project 1, and a second project."""
    return files.save(1, "release.tar.gz", SHA_A, 3, "me"), int(projects.create_project("b").id)


def refused(box: SecretBox, project_id: int, key: str, now: float = NOW) -> None:
    with pytest.raises(NotFound) as err:
        links.downloadable(box, project_id, key, now)
    assert err.value.field == "key"


def test_a_download_key_opens_its_file_until_it_expires(
    box: SecretBox, stored: tuple[StoredFile, int]
) -> None:
    row, _ = stored
    found, key, expires = links.file_key(box, 1, "release.tar.gz", NOW)

    assert found.id == row.id and expires == NOW + links.DOWNLOAD_SECONDS
    assert links.downloadable(box, 1, key, NOW + links.DOWNLOAD_SECONDS).id == row.id
    refused(box, 1, key, NOW + links.DOWNLOAD_SECONDS + 1)


def test_a_key_opens_nothing_in_another_project_nor_under_another_master_key(
    box: SecretBox, stored: tuple[StoredFile, int], tmp_path: Path
) -> None:
    _, other = stored
    theirs = files.save(other, "theirs.txt", SHA_B, 5, "them")
    _, key, _ = links.file_key(box, 1, "release.tar.gz", NOW)
    file_id, expires, mac = key.split(".")

    refused(box, other, key)
    refused(box, other, f"{theirs.id}.{expires}.{mac}")  # the id of their file, our MAC
    refused(box, 1, f"{file_id}.{int(expires) + 3600}.{mac}")  # a later expiry, same MAC
    refused(SecretBox(Fernet.generate_key(), tmp_path / "k2"), 1, key)
    for malformed in ("", "1", "1.2.3", f"{file_id}.{expires}.{mac}=", "../../etc/passwd"):
        refused(box, 1, malformed)


def test_a_key_dies_with_its_file_or_a_new_upload_under_its_name(
    box: SecretBox, stored: tuple[StoredFile, int]
) -> None:
    row, _ = stored
    _, key, _ = links.file_key(box, 1, "release.tar.gz", NOW)
    files.save(1, "release.tar.gz", SHA_B, 4, "me")  # uploaded again: other content
    refused(box, 1, key)

    _, key, _ = links.file_key(box, 1, "release.tar.gz", NOW)
    files.delete(1, row.id)
    refused(box, 1, key)
    with pytest.raises(NotFound) as err:
        links.file_key(box, 1, "release.tar.gz", NOW)
    assert err.value.field == "name"


def test_a_variable_key_is_bound_to_its_project_job_and_name(
    box: SecretBox, database: peewee.Database
) -> None:
    job = jobs.save(1, "deploy", True, [Step(kind=StepKind.CMD, name="s")], "me")
    for name in ("version", "mount"):
        jobs.save_variable(job, name, "", "")

    key = links.variable_key(box, 1, job.uuid, "version")

    assert len(key) == 64 and int(key, 16) >= 0
    assert links.variable_key(box, 1, job.uuid, "version") == key
    assert links.variable_key(box, 1, job.uuid, "mount") != key
    with pytest.raises(NotFound):
        links.variable_key(box, 1, job.uuid, "missing")
