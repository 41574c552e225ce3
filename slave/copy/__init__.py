"""File copies through the master's file store (`copy-fetch`, `copy-place`); see docs/copy.md.

fetch.py and place.py are the two commands, on top of command.py (kill, timeout, SSH session
slot, result). They see a machine (machine.py): this one (local.py, localplace.py, and tar.py
for a directory) or one reached over SSH (sftp.py, sftpplace.py, lines.py for its shell lines).
ahead.py overlaps reads with writes, progress.py writes the output lines, verify.py checks what
a place received, owner.py reads chown/chmod, threads.py keeps clean-up from racing a blocking
call and gives a local copy a thread of its own that acts as the copy's account (fsids.py),
errors.py holds CopyError.
"""
