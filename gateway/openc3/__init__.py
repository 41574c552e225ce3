"""OpenC3's job API (shared/spec/openc3-job-api.txt), served as views of jobfleet's model.

routes/     one module per section of the document (task, slave, jobs, ...)
views/      proto messages -> OpenC3's rows (tasks, catalogue, crontabs, step hashes)
names.py    its dialect: proto field -> the key a client of the route sent; failure text
words.py    the proto's enums in OpenC3's words (task status, node types, ...)
loguuid.py  a log route's uuid: a task's, or one step's (task uuid + step uuid + cmd|scp)
steps.py    a job's `data` (step hashes) -> proto Steps, errors naming `data[i].<key>`
filters.py  the catalogue list query (`name`, `create_user`, dates, ...) -> ListFilter
terminal/   the web terminal (`/cmd`): its page, socket bridge and line mode
static/     the terminal page's files, xterm.js vendored (`static/vendor/xterm/SOURCE`)

Its envelope, `{"stat", "data"}` / `{"stat", "info"}`, is `gateway.envelope`: the gateway's own
answers (health, unknown paths) wear it too. A refusal is HTTP 200 with `stat: false`, as OpenC3
answers (its pages read only 2xx answers), the true status in `X-Jobfleet-Status`
(`names.render_failure`). Every route is served at the root and under `/api/job` (`PREFIX`: the
pages call `/api/job/...`, which OpenC3's nginx strips). `DOCUMENT` is what `gateway/app.py`
mounts.
"""

from __future__ import annotations

from gateway.document import Document
from gateway.openc3 import names
from gateway.openc3.routes import (
    analysis,
    approval,
    cmd,
    crontab,
    fileserver,
    jobs,
    nodegroup,
    nodes,
    notify,
    scripts,
    sendfile,
    slave,
    subtask,
    task,
    third,
    token,
    userlist,
    variable,
    vv,
)

PREFIX = "/api/job"

DOCUMENT = Document(
    routes=[
        *analysis.routes,
        *task.routes,
        *slave.routes,
        *jobs.routes,
        *scripts.routes,
        *nodes.routes,
        *nodegroup.routes,
        *userlist.routes,
        *variable.routes,
        *subtask.routes,
        *third.routes,
        *crontab.routes,
        *fileserver.routes,
        *token.routes,
        *fileserver.v2_routes,
        *sendfile.routes,
        *vv.routes,
        *approval.routes,
        *approval.open_routes,
        *notify.routes,
        *cmd.routes,
    ],
    dialect=names.dialect,
    token_header_routes=[*fileserver.token_routes, *fileserver.v2_token_routes],
    open_routes=[*approval.open_routes, *cmd.static_routes],
    uncapped_routes=[*fileserver.upload_routes, *fileserver.v2_upload_routes],
    prefix=PREFIX,
    refusals_in_200=True,
)
