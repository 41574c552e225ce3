"""Keys that stand for one catalogue object: a job variable's update link, a stored file's
download. Synchronous (run on the database threads).

A key is a MAC the master makes with its secrets key (`SecretBox.mac`), over everything it is
bound to, so it cannot be guessed, forged, or carried to another project or object; every master
of one database checks the keys of the others. OpenC3's download names were 12 characters of a
non-cryptographic `rand` served without credentials and kept forever; its variable tokens an
MD5 of a secret file and the names. Here a download key also expires, and dies with its file
or a new upload under the name; every route that takes a key still takes credentials too.
"""

from __future__ import annotations

import base64
import hmac
import re

from master.db.models import StoredFile
from master.errors import NotFound
from master.secrets import SecretBox
from master.store import files, jobs, projects

VARIABLE_LINK = "variable link"
FILE_DOWNLOAD = "file download"
DOWNLOAD_SECONDS = 600
"""How long a download key works: the page opens it at once."""
FILE_KEY = re.compile(r"([1-9][0-9]{0,18})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})")
NO_SUCH_KEY = "no such download key (or it has expired, or its file changed)"


def variable_key(box: SecretBox, project_id: int, job_uuid: str, name: str) -> str:
    """The key of the variable `name` of the project's job: 64 hex digits."""
    projects.require_project(project_id)
    job = jobs.get(project_id, job_uuid)
    jobs.variable(job, name)
    return box.mac(VARIABLE_LINK, f"{project_id}\0{job.uuid}\0{name}").hex()


def file_key(box: SecretBox, project_id: int, name: str, now: float) -> tuple[StoredFile, str, int]:
    """(the file, its download key, when the key expires in unix seconds)."""
    projects.require_project(project_id)
    row = files.find(project_id, name=name)
    if row is None:
        raise NotFound(f"no file {name!r} in project {project_id}'s file server", "name")
    expires = int(now) + DOWNLOAD_SECONDS
    return row, f"{row.id}.{expires}.{_file_mac(box, project_id, row, expires)}", expires


def downloadable(box: SecretBox, project_id: int, key: str, now: float) -> StoredFile:
    """The file a download key names, if the key is this project's, unexpired, and its file
    still holds the content it was made for; any other key is NOT_FOUND alike."""
    projects.require_project(project_id)
    parsed = FILE_KEY.fullmatch(key)
    if parsed is None:
        raise NotFound(NO_SUCH_KEY, "key")
    file_id, expires, mac = int(parsed[1]), int(parsed[2]), parsed[3]
    row = files.find(project_id, file_id=file_id)
    if row is None or expires < now:
        raise NotFound(NO_SUCH_KEY, "key")
    if not hmac.compare_digest(mac, _file_mac(box, project_id, row, expires)):
        raise NotFound(NO_SUCH_KEY, "key")
    return row


def _file_mac(box: SecretBox, project_id: int, row: StoredFile, expires: int) -> str:
    signed = box.mac(FILE_DOWNLOAD, f"{project_id}\0{row.id}\0{row.sha256}\0{expires}")
    return base64.urlsafe_b64encode(signed).decode("ascii").rstrip("=")
