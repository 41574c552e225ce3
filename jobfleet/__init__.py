"""The package every jobfleet program installs: the contract's code and what the wings share.

v1/ is the generated code of the contract (protos/jobfleet/v1/*.proto, by scripts/gen_protos.py;
committed, never edited). tls.py reads the TLS files of the master and its clients; logs.py is
the log formatter of the three daemons; cli/ is the `jobfleet` command (`up`, `run`). Nothing
here imports master/, slave/ or gateway/.
"""
