"""The storage layer: the interface every backend implements (``utils.storage.interface``).

Services reach data only through it (via ``services.records`` and its siblings); which backend
serves it (JSON files by default, PostgreSQL with ``PRODSIGHT_DATABASE_URL``) is chosen once.
"""
from utils.storage.interface import Changes, EventLog, RecordSet, Storage, Transaction

__all__ = ["Changes", "EventLog", "RecordSet", "Storage", "Transaction"]
