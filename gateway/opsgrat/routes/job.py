"""`/api/job/job/`: runs (job-task-api.txt)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
