"""All SQL lives here: one module per aggregate, synchronous (capabilities run them on DbRunner),
taking and returning the master's values (domain.py) and the models' rows.

tasks.py (tasks, their steps, creation and step starts in one transaction), executions.py,
logs.py (output chunks: batched appends, bounded reads; chunkdata.py how their bytes are
kept), catalogue.py (scripts, nodes, groups,
accounts), jobs.py (jobs and their variables), files.py (the file server's entries), blobs.py
(which blobs are still referenced), projects.py, tokens.py, slaves.py (enrolments, last seen),
accounts.py (the sealed secrets the key is checked against), crontabs.py and fires.py (the
claim of each fire time), filters.py (the list filters every table takes), notes.py
(operators' notes on runs) and runlogs.py (a task's log entries: outputs and notes as one
paged list, outputs' first bytes), vv.py (version variables, upserted per project, node and
name). Imports only the values and the database.
"""
