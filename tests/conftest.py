"""Shared helpers: deadline waits (never bare sleeps)."""
