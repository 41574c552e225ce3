"""`jobfleet`: the operator's command line (all-in-one launcher and a gRPC client).

main.py parses the subcommands; up.py is `jobfleet up` (master, slave and gateway on loopback,
a demo command) on top of processes.py (start and stop the daemons as children); run.py is
`jobfleet run` (submit a command, print its output live) on top of client.py (wait for a slave,
submit, follow); shell.py is `jobfleet shell` (a terminal on one machine, shell_session.py, or
lines on many, lines_session.py) over terminal_stream.py (one OpenTerminal call), showing what
shell_view.py (pure) renders; auth.py opens a token-carrying channel to the master.
"""
