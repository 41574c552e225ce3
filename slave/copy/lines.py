"""The shell lines a copy runs on a node over SSH (POSIX sh whatever the login shell; every
value passed as an argument, never spliced into the script)."""

from __future__ import annotations

from slave.ssh.remote import sh_line

_UNPACK = 'mkdir -p -- "$2" && tar -x -o -f "$1" -C "$2"; r=$?; rm -f -- "$1"; exit $r'
"""-o: files belong to the login (as with scp), not to the ids recorded in the archive."""


def cat(path: str) -> str:
    """The file's bytes on stdout."""
    return sh_line('exec cat -- "$1"', "jobfleet-fetch", [path])


def tar_create(directory: str) -> str:
    """A tar of the directory's contents on stdout, entries named ./..."""
    return sh_line('exec tar -C "$1" -cf - .', "jobfleet-fetch", [directory])


def unpack(archive: str, directory: str) -> str:
    """Unpack the archive file into the directory (created when missing); remove the archive."""
    return sh_line(_UNPACK, "jobfleet-unpack", [archive, directory])


def chown(spec: str, path: str, recursive: bool) -> str:
    script = 'exec chown -R -- "$1" "$2"' if recursive else 'exec chown -- "$1" "$2"'
    return sh_line(script, "jobfleet-chown", [spec, path])


def chmod(mode: str, path: str) -> str:
    """Recursive (the files of an unpacked directory); a file is just itself."""
    return sh_line('exec chmod -R -- "$1" "$2"', "jobfleet-chmod", [mode, path])
