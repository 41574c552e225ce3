"""Protobuf <-> the master's values, one module per side of the contract: task.py (TaskService),
runlog.py (TaskService's log entries and notes),
catalog.py (CatalogService and TokenService: the catalogue, projects, slaves, tokens),
crontab.py (CrontabService), slave.py (the slave link's orders and reports), timestamps.py
(naive-UTC datetimes and protobuf times). Like the rest of rpc/, and unlike any other part of
the master, they know _pb2.
"""
