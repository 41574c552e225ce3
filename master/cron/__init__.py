"""Crontabs: a job started at each fire time of a cron expression; see docs/crontab.md.

expression.py reads a cron expression in a time zone and gives its fire instants (pure: no
clock, no database); misfire.py decides what a crontab's due fire times become (the misfire
policy); scheduler.py is the daemon that claims due fires (store/fires.py) and starts their
tasks through the task engine; service.py is what CrontabService calls: a crontab's rules, and
each change told to the scheduler. Imports the task engine (tasks/), the catalogue's checks,
the store; never rpc/ or the generated code.
"""
