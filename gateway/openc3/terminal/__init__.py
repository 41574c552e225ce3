"""OpenC3's web terminal (`/cmd/{projectid}`), made safe: the page, its socket, line mode.

asked.py    the query (`node`, `sudo`, `bash`, `group`) -> the master's TerminalOpen
page.py     the HTML page (no inline script, a strict Content-Security-Policy, the ticket in a
            data attribute) and the vendored static files it loads (`static/`)
control.py  the socket's frames: binary = keystrokes / output, JSON text = control
bridge.py   the socket <-> the master's OpenTerminal stream, back-pressured both ways
lines.py    line mode: the gateway's line editing and the per-machine rendering (pure)
"""
