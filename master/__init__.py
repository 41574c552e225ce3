"""The jobfleet master: keeps the catalogue, runs tasks on slaves, fires crontabs, serves gRPC.

Grouped by capability. Every part may use the first two lines; beyond them each imports only
what its line says (the table is tests/unit/test_layering.py):

  domain.py, errors.py  the vocabulary (values, StrEnums) and the domain errors: nothing
  config.py, secrets.py, log_config.py  settings, secrets at rest, logging set-up: nothing
  db/         the connection, models, migrations, what is private at rest: db/ itself
  store/      all SQL, one module per aggregate: db/
  catalogue/  jobs and steps, scripts, nodes and groups, accounts, variables, the file store,
              projects and tokens: store/, db/
  slaves/     who a slave is (enrolment), its attached session: catalogue/ and the above
  tasks/      submit, plan, engine, routing, the intake of slave reports, queries, step
              conditions and rolling waves: slaves/ and the above
  reports/    counts over the task history, computed by the database: tasks/ and the above
  notify/     who is told what a run did, the outbox's delivery (email, SMS, webhooks,
              callbacks): reports/ and the above
  cron/       cron expressions, the misfire policy, the scheduler: tasks/ and the above
  rpc/        servicers, auth, converters, the server; the only importer of the generated code:
              the capabilities (catalogue/ slaves/ tasks/ cron/), never store/ or db/
  app.py, cli.py, __main__.py  the composition root and the command line: anything

Capabilities never import rpc/, grpc or jobfleet.v1; slave/ and gateway/ import nothing of the
master, nor the master of them.
"""
