"""OpenC3's document, one module per section, each exposing `routes: list[BaseRoute]`
(CONVENTIONS 12); `gateway.openc3.DOCUMENT` lists them in mounting order.

task.py        submit a command, a copy or a job; redo; list, count and show tasks
slave.py       a task's log (streamed, or a page for browsers) and killing it; logsocket.py its
               live log WebSocket, mounted with it
subtask.py     a task's steps, and controlling a paused one
third.py       what third-party systems call: options, dry-run, invoke, query, stop
jobs.py        the job catalogue (a job's steps read by `openc3.steps`)
scripts.py     saved scripts
nodes.py       the machines: `nodelist` and `nodeinfo`
nodegroup.py   named groups of machines
userlist.py    the accounts commands run as
variable.py    a job's variables
crontab.py     crontabs that run a job on a schedule
fileserver.py  the project's stored files: list, upload (streamed, `token` header), delete
token.py       the project's tokens
vv.py          version variables: list, node x name table, version shares, values, delete
"""
