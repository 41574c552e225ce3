"""Where a place writes: a file path, a directory (under the source's name), an archive's
directory; temp files beside the destination."""

from __future__ import annotations

import pytest

from slave.copy.errors import CopyError
from slave.copy.machine import Plan, plan
from slave.messages import Blob, PlaceRequest

FILE = Blob("a" * 64, 1)
TAR = Blob("b" * 64, 1, archive=True)


@pytest.mark.parametrize(
    ("blob", "path", "is_dir", "expected"),
    [
        (FILE, "/opt/app.bin", False, Plan("/opt/app.bin", "/opt", "app.bin")),
        (FILE, "/opt", True, Plan("/opt/rel.bin", "/opt", "rel.bin")),
        (FILE, "/opt/new/", False, Plan("/opt/new/rel.bin", "/opt/new", "rel.bin")),
        (TAR, "/srv/conf/", False, Plan("/srv/conf", "/srv", "conf")),
        (TAR, "/", True, Plan("/", "/", "root")),
        (FILE, "app.bin", False, Plan("app.bin", ".", "app.bin")),
    ],
)
def test_plans(blob: Blob, path: str, is_dir: bool, expected: Plan) -> None:
    assert plan(PlaceRequest(1, blob, path, name="rel.bin"), is_dir) == expected


@pytest.mark.parametrize(
    ("path", "name", "reason"),
    [
        ("/opt/", "", "/opt/ is a directory and the source has no name"),
        ("/opt/", "../x", "not a file name: '../x'"),
        ("", "x", "no destination path"),
    ],
)
def test_bad_plans(path: str, name: str, reason: str) -> None:
    with pytest.raises(CopyError, match=reason.replace(".", r"\.")):
        plan(PlaceRequest(1, FILE, path, name=name), True)


def test_temp_names_say_what_they_were() -> None:
    assert Plan("/opt/app.bin", "/opt", "app.bin").temp_prefix(7) == ".app.bin.jobfleet-7-"
