#!/usr/bin/env python3
"""Regenerate the Python code of the contract: protos/jobfleet/v1/*.proto -> jobfleet/v1/.

The include root is protos/ and the output root is the repository, so proto path = proto
package = Python package (`jobfleet.v1`) and the generated imports work unchanged.
Usage: gen_protos.py [OUT_DIR]  (default: the repository root; tests pass a temp dir)
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"


def proto_files() -> list[Path]:
    return sorted((PROTOS / "jobfleet" / "v1").glob("*.proto"))


def generate(out_dir: Path) -> None:
    """Write jobfleet/v1/*_pb2*.py(i) under `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    well_known = str(resources.files("grpc_tools") / "_proto")
    args = [
        "grpc_tools.protoc",
        f"-I{PROTOS}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *(str(p.relative_to(PROTOS)) for p in proto_files()),
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT
    generate(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
