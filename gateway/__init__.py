"""REST gateway: serves the documented REST routes, each as one gRPC call on the master."""
