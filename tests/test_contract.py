"""The committed generated code is exactly what the .proto files produce."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "jobfleet" / "v1"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_protos", ROOT / "scripts" / "gen_protos.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_protos"] = module
    spec.loader.exec_module(module)
    return module


def test_generated_code_is_fresh(tmp_path: Path) -> None:
    load_generator().generate(tmp_path)
    fresh = sorted((tmp_path / "jobfleet" / "v1").glob("*_pb2*.py*"))
    committed = sorted(GENERATED.glob("*_pb2*.py*"))
    assert [p.name for p in fresh] == [p.name for p in committed]
    stale = [p.name for p in fresh if p.read_bytes() != (GENERATED / p.name).read_bytes()]
    assert not stale, f"run scripts/gen_protos.py; stale: {stale}"


def test_enums_follow_buf_style() -> None:
    from jobfleet.v1 import common_pb2

    for enum in common_pb2.DESCRIPTOR.enum_types_by_name.values():
        prefix = "".join("_" + c if c.isupper() else c for c in enum.name).lstrip("_").upper()
        assert enum.values[0].name == f"{prefix}_UNSPECIFIED"
        assert all(v.name.startswith(prefix + "_") for v in enum.values)
