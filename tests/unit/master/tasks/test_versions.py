"""Which job tasks write version variables, under which name, on which nodes."""

from __future__ import annotations

from master.db.models import Task
from master.domain import JobType
from master.tasks.versions import job_version


def test_a_job_task_with_version_and_ip_names_its_variable_and_nodes() -> None:
    job = Task(
        job_type=JobType.JOB,
        check_only=False,
        variables='{"version": "2.0", "ip": "10.0.0.1, 10.0.0.2,", "_appname_": "web"}',
    )
    found = job_version(job)
    assert found is not None
    assert (found.name, found.version, found.nodes) == (
        "APP_web_VERSION",
        "2.0",
        ["10.0.0.1", "10.0.0.2"],
    )
    job.variables = '{"version": "2.0"}'
    assert job_version(job) is None
    job.variables, job.check_only = '{"version": "2.0", "ip": "n1"}', True
    assert job_version(job) is None
