"""Proto messages -> cloud-act2's rows: `records` (JobRecordInfo), `results` (JobRecordResult)."""
