"""OpenC3's job API (shared/spec/openc3-job-api.txt), served as views of jobfleet's model.

names.py    its dialect: proto field -> the key a client of the route sent; failure text
words.py    the proto's enums in OpenC3's words (task status, node types, ...)
"""
