"""Several masters on one PostgreSQL (multi-master mode, `--advertise`): each master's row and
lease (registry.py), taking over the tasks of a master whose lease lapsed (takeover.py), this
master as one of them (member.py), the list of live masters (listing.py) and whether this
master holds its database (health.py). Nothing but the list and health runs for a single
master. docs/ha.md tells the failure model."""
