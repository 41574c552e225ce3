"""Numbered schema migrations, applied in order at master start (playhouse.migrations)."""
