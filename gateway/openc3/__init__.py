"""OpenC3's job API (shared/spec/openc3-job-api.txt), served as views of jobfleet's model.

views/      proto messages -> OpenC3's rows (tasks, catalogue, crontabs, step hashes)
names.py    its dialect: proto field -> the key a client of the route sent; failure text
words.py    the proto's enums in OpenC3's words (task status, node types, ...)
steps.py    a job's `data` (step hashes) -> proto Steps, errors naming `data[i].<key>`
filters.py  the catalogue list query (`name`, `create_user`, dates, ...) -> ListFilter
"""
