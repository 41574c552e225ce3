"""Shared helpers: deadline waits (never bare sleeps)."""

pytest_plugins = ["tests.sshd"]
