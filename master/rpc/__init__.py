"""The gRPC adapters: the only part of the master that speaks the generated code (jobfleet.v1).

server.py builds the server and adds every service to it. One servicer per proto service:
task_service.py (TaskService), catalog_service.py (CatalogService), crontab_service.py
(CrontabService), token_service.py (TokenService), file_service.py (FileService: blobs for
slaves' copies), slave_link.py (SlaveLink.Attach, one stream per slave). Each method reads its
request, makes one call on a capability's service object and builds the response; convert/
turns protobuf into the master's values and rows back into protobuf.

Around the servicers: interceptor.py puts every call of a guarded service through auth.py (who
presents which token, and what a project's token may name), which remembers what it learned in
credentials.py; context.py holds the servicer context's type and the caller; errors.py turns
domain errors into statuses, once per method, after checks.py refused a NUL in the request.
Imports the capabilities (catalogue, slaves, tasks, cron); never the store or the database.
"""
