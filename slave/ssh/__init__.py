"""Running commands on machines without a slave, over SSH (paramiko); see docs/ssh.md.

run.py is the `run-ssh` command. pool.py keeps authenticated connections and caps concurrent
sessions; connect.py opens one (blocking, in the pool's threads) and hostkeys.py applies the
known_hosts policy; session.py starts a command (or an SFTP client, for slave/copy) on a pooled
connection and channel.py reads it from the event loop; remote.py writes the shell lines the
node runs; group.py ends a script's remote process group.
"""
