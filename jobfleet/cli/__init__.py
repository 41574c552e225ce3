"""`jobfleet`: the operator's command line (all-in-one launcher and a gRPC client).

main.py parses the subcommands and turns failures into messages and exit codes; common.py holds
what every client command shares (its connection flags, the channel, the exit codes) over
config.py (flag > environment > config file). up.py is `jobfleet up` (master, slave and gateway
on loopback, a demo command) on top of processes.py; run.py is `jobfleet run`, tasks.py `tasks`,
`show`, `tail`, `kill`, `decide`, submit.py `submit`, catalog.py `jobs`, fleet.py `slaves`,
`crontabs`, `tokens`, completion.py `completion` (shtab). A followed task (outcome.py: its exit
code) is printed by live.py (prefixed lines, the progress line of progress.py, or JSON lines);
nodes.py resolves `@group`; render.py prints tables, JSON and colour. shell.py is `jobfleet
shell` (a terminal on one machine, shell_session.py, or lines on many, lines_session.py) over
terminal_stream.py (one OpenTerminal call), showing what shell_view.py (pure) renders; client.py
waits for a slave and follows a task for `up`; auth.py opens a token-carrying channel.
"""
