"""Counts over the task history (OpenC3's dashboard reports), computed by the database."""
