"""`jobfleet`: the operator's command line (all-in-one launcher and a gRPC client).

main.py parses the subcommands; up.py is `jobfleet up` (master, slave and gateway on loopback,
a demo command) on top of processes.py (start and stop the daemons as children); run.py is
`jobfleet run` (submit a command, print its output live) on top of client.py (wait for a slave,
submit, follow); auth.py opens a token-carrying channel to the master.
"""
