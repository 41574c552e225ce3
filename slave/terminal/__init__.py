"""Interactive terminals for the master: a login shell in a pty, here or over SSH.

- `lines`: the audit rules (what typed input becomes a logged line; what is never kept).
- `local`: a pty on this machine as a run-as account, ended with its whole process tree.
- `remote`: a pty over SSH from this slave, its echo state asked on a second channel.
- `relay`: the SlaveTerminal.Relay stream, with back-pressure.
- `service`: orders checked like commands, then relayed.
"""
