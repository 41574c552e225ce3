"""The database: one peewee DatabaseProxy, SQLite by default or PostgreSQL; see docs/postgresql.md.

connection.py opens it from a URL (a pool of connections) and runs store functions on threads
of their own (DbRunner), turning an outage into UNAVAILABLE; models.py holds the tables;
schema.py applies the numbered migrations in migrations/ (never edited once released) and says
which are applied; bulk.py writes thousands of rows in one statement; private.py keeps the data
dir and the SQLite files private to the master's user. Imports only the values, the config and
secrets.py (which seals what migration 0010 finds stored plain).
"""
