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


BACKENDS = {"files": FileBackend}
