"""`/api/job/log/`: runs' log rows and operators' notes (job-log-api.txt)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
