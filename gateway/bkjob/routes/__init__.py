"""One module per section of bk-job's documents: `iplog` (batch-get-job-instance-ip-log.txt)."""
