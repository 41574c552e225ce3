"""The slaves: who they are and how the master talks to them.

enrolment.py checks who an attaching slave is (its own credential) or enrols it (join or
project token), and which projects it serves; sessions.py keeps one Session per attached slave
(its outbound queue, its inbox of reports, the executions dispatched to it) and is the registry
the task engine dispatches through; service.py is what the RPCs ask of slaves (attach, a
slave's credential, the list). Imports the catalogue's name rules and the store; never tasks/,
rpc/ or the generated code.
"""
