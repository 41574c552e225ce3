"""Proto messages -> the rows OpenC3's document shows: its keys, words and time format.

tasks.py    tasks, executions and subtasks (and the time format every row uses)
catalog.py  jobs, scripts, nodes, groups, accounts, variables, files; the audit columns
crontab.py  crontabs and their recent fires
steps.py    job steps as step hashes (`plugin_type`, `node_cont`, `scripts_cont`, ...)
"""
