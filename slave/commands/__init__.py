"""What the master can order a slave to do: one small class per command (see registry)."""
