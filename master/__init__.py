"""The jobfleet master: catalogue, task engine, slave dispatcher, gRPC servers."""
