"""Fixtures every test may use: a real sshd (tests/sshd.py). Deadline waits are in
tests/waiting.py."""

pytest_plugins = ["tests.sshd"]
