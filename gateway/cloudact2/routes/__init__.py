"""One module per section of cloud-act2's document: `record` (job-record-api.txt)."""
