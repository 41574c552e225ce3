"""Generated from protos/jobfleet/v1/*.proto by scripts/gen_protos.py: edit the .proto files."""
