"""Tasks: from a submission to the last execution's result.

submit.py turns what clients submit (a command, a copy, a job, a redo) into a task to write,
through plan.py, which substitutes variables and resolves each step's nodes (submit, dry-run
and redo all plan the same way), and options.py, which acts on a run's options (its node
group, account and `limit`). engine.py is the task engine: it starts steps, routes each
node's execution (routing.py: to which slave, over SSH or not) and dispatches it (orders.py:
what the slave is sent), settles steps as their executions end, takes subtask control and
kills. window.py bounds how many executions of a step are out at once (RunOptions.forks: the
rest wait QUEUED); checkrun.py says what a dry run (RunOptions.check) would have run.
intake.py takes what slaves report (starts, output, results, silence) and hands each ended
execution back to the engine.
queries.py reads tasks and their logs and follows them live through events.py; runlogs.py
lists a task's log entries (each execution's output and the operators' notes) and notes.py
writes the notes; quotas.py bounds what one project may start. Version variables:
vvscan.py finds `NAME:[value]` in output, vvcapture.py takes them as intake stores output,
versions.py writes a job task's `version` and reads them for the VersionService. Imports the
catalogue, the slaves' sessions and the store; never rpc/ or the generated code.
"""
