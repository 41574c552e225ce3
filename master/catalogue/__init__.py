"""The catalogue: what tasks run and where (jobs and their steps, scripts, nodes, node groups,
execution accounts, job variables, the file server), projects and project tokens.

rules.py says what a valid catalogue object is (every refusal names the request field);
jobs.py saves a job with the variables its steps name (job_variables.py: where OpenC3 looks for
them) and says whether a run needs variables;
steps.py checks a job's steps and finds the variables they use; validate.py holds the name
rules every part shares and the checks of an ad-hoc command; variables.py substitutes `${name}`
within size bounds; resolve.py turns a step's node selector into node names and checks each is
a machine of the project or a slave serving it; cite.py finds the stored script a cmd step
cites (the project's or project 0's). filestore.py is the content-addressed file store under the
data dir (uploads, copies' blobs); intostore.py names a copy's fetched file in the file server;
blob_sweep.py removes what no one references any more; approval_rules.py holds an approval
step's rules (who is asked, what, when the answers decide, its link tokens). service.py is what
CatalogService and TokenService call. Imports the store and the database; never the other
capabilities, rpc/ or the generated code.
"""
