"""The test PostgreSQL server: throwaway databases on it, and control of its cluster.

`scripts/pg run` starts a cluster and exports JOBFLEET_TEST_DB (a URL to its admin database) and
JOBFLEET_TEST_PG_DIR (the cluster's directory, for `scripts/pg halt|start|restart`). Without
JOBFLEET_TEST_DB the tests run on SQLite only.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

SERVER_ENV = "JOBFLEET_TEST_DB"
CLUSTER_ENV = "JOBFLEET_TEST_PG_DIR"
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "pg"


def server_url() -> str:
    """The admin URL of the test server, or "" when the tests run on SQLite only."""
    return os.environ.get(SERVER_ENV, "")


def database_url(server: str, name: str) -> str:
    """The server URL pointed at database `name`."""
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def create_database(server: str) -> str:
    """A new empty database on the server; returns its URL."""
    name = f"jf_{uuid.uuid4().hex[:16]}"
    _admin(server, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(server, name)


def drop_database(url: str) -> None:
    """Drop the database `url` names, cutting any session still on it."""
    name = urlsplit(url).path.lstrip("/")
    query = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    _admin(url, query)


def _admin(url: str, query: sql.Composable) -> None:
    conn = psycopg2.connect(database_url(url, "postgres"))
    try:
        conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
        with conn.cursor() as cur:
            cur.execute(query)
    finally:
        conn.close()


def cluster(action: str) -> None:
    """`scripts/pg ACTION` on the test cluster: halt, start or restart it."""
    directory = os.environ.get(CLUSTER_ENV, "")
    if not directory:
        raise AssertionError(
            f"{CLUSTER_ENV} is not set: run under `scripts/pg run` to control the server"
        )
    subprocess.run([str(SCRIPT), action, directory], check=True, capture_output=True, timeout=90)
