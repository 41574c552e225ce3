"""`jobfleet`: the operator's command line (all-in-one launcher and a gRPC client)."""
