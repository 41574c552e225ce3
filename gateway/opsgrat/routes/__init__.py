"""One module per section of OpsGrat's documents: `job` (job-task-api.txt), `log`
(job-log-api.txt)."""
