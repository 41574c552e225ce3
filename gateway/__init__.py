"""REST gateway: serves the documented REST routes, each as one gRPC call on the master.

Generic modules are flat; each REST document is a sibling package of the same shape, mounted by
`app.py`, the one module that lists them (README.md's layout table says more).

app.py, document.py          the app, and the `Document` each document package hands it (its
                             routes, also served under its prefix: `Alias`)
health.py, openapi.py        the gateway's own routes: /health, /openapi.json (with schemas.py)
auth.py, callers.py          credentials (headers, the session cookie), asked of the master
                             before a handler reads anything
bodylimit.py, errors.py      the body cap; failures -> HTTP answers in the route's dialect
statusheader.py              every answer's true status in `X-Jobfleet-Status`
forms.py, jsontext.py        request bodies and queries -> checked values, naming the field
multipart.py, uploads.py     file uploads streamed to the master (names: filenames.py)
envelope.py, streaming.py    the `{"stat", "data"}` envelope, whole or written page by page
words.py                     reading a document's enum <-> word tables
upstream.py                  the client of the master: channels, stubs, lifespan state
follow.py                    FollowTask resumed on another master without repeating output
taskreads.py                 a task's reads given again for up to 1 s, per token, dropped on
                             the master's change stream (WatchTaskChanges)
config.py, cli.py, server.py settings, entry point, the uvicorn daemon
openc3/                      OpenC3's job API: routes/, views/, names.py, words.py, ...
"""
