"""The JSON-file store, kept under its old name: it lives in ``utils.storage`` now (the interface
in ``utils.storage.interface``, the backend in ``utils.storage.files`` and the modules it is made
of). Services take it from ``get_store()`` and use only the interface."""
from utils.storage.changes import RecordItems, insert_record, new_collection
from utils.storage.durability import TEMP_SUFFIX, StoreCorruptError
from utils.storage.files import Store, get_store
from utils.storage.registry import init_app  # the JSON files, or PostgreSQL (PRODSIGHT_DATABASE_URL)
from utils.storage.interface import Changes
from utils.storage.journal import JOURNAL_LIMIT, Snapshot

__all__ = ["Changes", "JOURNAL_LIMIT", "RecordItems", "Snapshot", "Store", "StoreCorruptError", "TEMP_SUFFIX",
           "get_store", "init_app", "insert_record", "new_collection"]
