"""The backends the contract suite runs against. A backend here knows how to open a ``Storage``
on a fresh location, in this process and (as Python source) in a child process. Add one entry to
``BACKENDS`` and every test of ``tests/storage`` runs against it too."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class FileBackend:
    """The JSON files (``utils.store.Store``) in a temp data directory."""

    name = "files"

    def __init__(self, tmp_path):
        self.location = str(tmp_path / "data")

    def open(self):
        from utils.store import Store

        return Store(self.location)

    # Python source that leaves a Storage in ``storage``, on ``sys.argv[1]``
    child_prelude = f"""
import os, sys, time
sys.path.insert(0, {str(ROOT)!r})
from utils.store import Store
storage = Store(sys.argv[1])
"""

    def close(self):
        pass


class PostgresBackend:
    """PostgreSQL (``utils.storage.postgres``): a database of its own on the test server
    (tests/pg.py), at the current schema and empty; ``location`` is its URL."""

    name = "postgres"

    def __init__(self, tmp_path):
        from tests import pg

        try:
            cluster = pg.shared_cluster()
        except LookupError as exc:
            pg.unavailable(str(exc))
        self.location, self._release = cluster.migrated_database()
        self._opened = []

    def open(self):
        from utils.storage.postgres.backend import PostgresStorage

        storage = PostgresStorage(self.location, pool_size=8)
        self._opened.append(storage)
        return storage

    child_prelude = f"""
import os, sys, time
sys.path.insert(0, {str(ROOT)!r})
from utils.storage.postgres.backend import PostgresStorage
storage = PostgresStorage(sys.argv[1], pool_size=4)
"""

    def close(self):
        for storage in self._opened:
            storage.close()
        self._release()


BACKENDS = {"files": FileBackend, "postgres": PostgresBackend}
