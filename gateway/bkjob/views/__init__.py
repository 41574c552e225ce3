"""Proto messages -> bk-job's log answer: which executions of the step are on each asked host
(`hosts`), a command step's logs (`scripts`), a copy step's (`files`)."""
