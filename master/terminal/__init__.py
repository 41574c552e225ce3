"""Interactive terminals: a shell on one machine, or line mode on many.

- `model`: the values every part speaks (a session, what a client sends, what it is shown).
- `admission`: who may open what (tickets, the project's machines and accounts, caps), the
  session's life in the store and its audit lines.
- `recording`: a shell session's output kept as an asciicast, for projects that ask.
- `lines`: line mode: each line a task on every machine, answers relayed per machine.
- `shell`: the shell path: order the slave, pair its relay stream, relay with back-pressure,
  end on idle or hang-up.

No gRPC here: `master.rpc.terminal_service` and `master.rpc.slave_terminal` adapt the streams.
"""
