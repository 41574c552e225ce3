"""gRPC servicers: thin adapters, proto in, one domain call, proto out."""
