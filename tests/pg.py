"""A throwaway PostgreSQL for the tests: Debian's server binaries run in a temp directory on a free
port of 127.0.0.1, or the server named by ``PRODSIGHT_TEST_DATABASE_URL``. Each test gets a fresh
database of its own (``fresh_database``), dropped afterwards; the server stops with the session.

Nothing here depends on a server someone else started: without the binaries (and without the
variable) the PostgreSQL tests skip, except under ``CI=true``, where they fail.
"""
import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

ENV_URL = "PRODSIGHT_TEST_DATABASE_URL"


def binaries():
    """The newest ``/usr/lib/postgresql/<version>/bin`` that has ``initdb`` and ``pg_ctl``, or None."""
    found = [os.path.dirname(path) for path in glob.glob("/usr/lib/postgresql/*/bin/initdb")
             if os.path.exists(os.path.join(os.path.dirname(path), "pg_ctl"))]
    return max(found, key=lambda path: int(path.split("/")[-2]) if path.split("/")[-2].isdigit() else 0, default=None)


def unavailable(reason):
    """Skip a PostgreSQL test, or fail it in CI, where both backends must be tested."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}")
    pytest.skip(reason)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_database(url, name):
    """``url`` pointing at database ``name`` instead."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


class LocalServer:
    """``initdb`` + ``pg_ctl`` in a temp directory; as root, both run as the ``postgres`` user."""

    def __init__(self, bin_dir, durable=False):
        self.bin_dir = bin_dir
        self.durable = durable  # fsync as a production server does (the benchmark); tests skip it
        self.root = tempfile.mkdtemp(prefix="prodsight-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres"
            account = pwd.getpwnam(self.user)
            os.chown(self.root, account.pw_uid, account.pw_gid)

    def _run(self, *args, **kwargs):
        command = [os.path.join(self.bin_dir, args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, **kwargs)

    def start(self):
        done = self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                         "--locale=C", "--no-sync")
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr[-2000:]}")
        # A test server: durability is the app's concern, measured elsewhere; fsync off keeps the
        # suite fast. Unix sockets live in the temp directory, TCP only on 127.0.0.1.
        options = f"-p {self.port} -h 127.0.0.1 -k {self.root} -c max_connections=300"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        done = self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.root, "log"), "-w", "-t", "60",
                         "-o", options, "start")
        if done.returncode != 0:
            log = ""
            with contextlib.suppress(OSError), open(os.path.join(self.root, "log")) as handle:
                log = handle.read()[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {done.stderr[-1000:]} {log}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self):
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class Cluster:
    """One server for the session; ``database()`` makes a fresh, empty database on it."""

    _numbers = itertools.count(1)

    def __init__(self, admin_url, local=None):
        self.admin_url = admin_url
        self.local = local
        self.prefix = f"prodsight_test_{os.getpid()}_"
        self._spare = []  # migrated databases free for the next test

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as connection:
            connection.execute(sql)

    def database(self):
        """(url, drop): a new empty database and the function that drops it."""
        name = f"{self.prefix}{next(self._numbers)}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0')

        def drop():
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return with_database(self.admin_url, name), drop

    def migrated_database(self):
        """(url, release): a database at this code's schema holding no data. Databases are reused
        from test to test (emptied, which costs a few ms instead of creating one)."""
        from utils.storage.postgres import migrate

        if self._spare:
            url = self._spare.pop()
            self._empty(url)
        else:
            url, _drop = self.database()
            migrate.migrate(url)
        return url, lambda: self._spare.append(url)

    @staticmethod
    def _empty(url):
        import psycopg

        with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
            connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                               " WHERE datname = current_database() AND pid <> pg_backend_pid()")
            with connection.transaction():
                tables = connection.execute("SELECT quote_ident(tablename) FROM pg_tables"
                                            " WHERE schemaname = 'public' AND tablename <> 'schema_version'").fetchall()
                for (table,) in tables:
                    connection.execute(f"DELETE FROM {table}")
                sequences = connection.execute(  # the collections' id sequences (utils/storage/postgres)
                    "SELECT quote_ident(relname) FROM pg_class WHERE relkind = 'S' AND relname LIKE 'ids:%'"
                    " AND relnamespace = 'public'::regnamespace").fetchall()
                for (sequence,) in sequences:
                    connection.execute(f"DROP SEQUENCE {sequence}")

    def stop(self):
        if self.local:
            self.local.stop()


def start_cluster(durable=False):
    """A Cluster, or raises ``LookupError`` (why none can run here)."""
    given = os.environ.get(ENV_URL)
    if given:
        return Cluster(given)
    bin_dir = binaries()
    if bin_dir is None:
        raise LookupError("no PostgreSQL server binaries (apt-get install postgresql) and no " + ENV_URL)
    local = LocalServer(bin_dir, durable)
    try:
        url = local.start()
    except BaseException:
        local.stop()
        raise
    cluster = Cluster(url, local)
    deadline = time.monotonic() + 30
    while True:  # pg_ctl -w waited for the socket; make sure TCP answers too
        try:
            cluster._admin("SELECT 1")
            return cluster
        except Exception:
            if time.monotonic() > deadline:
                cluster.stop()
                raise
            time.sleep(0.1)


_shared = {}


def shared_cluster():
    """The session's one test server (started on first use, stopped when the process exits), for
    the ``pg_cluster`` fixture and the contract suite's backend alike. ``LookupError``: none here."""
    if "cluster" not in _shared:
        import atexit

        _shared["cluster"] = start_cluster()
        atexit.register(_shared["cluster"].stop)
    return _shared["cluster"]
