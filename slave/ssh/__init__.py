"""Running commands on machines without a slave, over SSH (paramiko); see docs/ssh.md.

pool.py keeps authenticated connections and caps concurrent sessions, connect.py opens one
(blocking, in the pool's threads), hostkeys.py applies the known_hosts policy, remote.py writes
the shell lines run on the node, channel.py reads an exec channel from the event loop, and
run.py is the `run-ssh` command.
"""
