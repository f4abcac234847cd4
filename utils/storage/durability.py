"""Durability of the JSON files: the cross-process lock of a name, and a write that is on disk
before it is acknowledged (SPEC §5).

Each name has a sidecar lock file (``.locks/<name>.lock``) taken with ``fcntl.flock``, so the lock
spans gunicorn workers and threads; it is a sidecar because ``os.replace`` swaps the data file's
inode. A write goes to a temp file in the same directory, is flushed and fsynced, renamed over the
old file, and the directory is fsynced. ``utils.durable`` holds the gevent-aware lock and fsync,
the mode-600 ``private`` opener and the mapping of disk failures to ``StorageError``.
"""
import contextlib
import fcntl
import os
import tempfile

from utils.durable import fsync, lock_exclusive, private

TEMP_SUFFIX = ".tmp"


class StoreCorruptError(Exception):
    """A data file exists but does not parse; it is left untouched for a person to fix."""

    def __init__(self, filename, reason):
        super().__init__(f"Data file {filename} is broken ({reason}); fix or restore it by hand")
        self.filename = filename


@contextlib.contextmanager
def held(lock_path):
    """Hold the exclusive cross-process lock of one name for the block."""
    with open(lock_path, "a+", opener=private) as handle:
        lock_exclusive(handle.fileno())
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def acquire(lock_path):
    """The open, locked lock file; closing it (the last descriptor) releases the lock."""
    handle = open(lock_path, "a+", opener=private)
    try:
        lock_exclusive(handle.fileno())
    except BaseException:
        handle.close()
        raise
    return handle


def replace(data_dir, filename, payload):
    """Write ``payload`` durably over ``data_dir/filename`` (the directory's fsync is the caller's)."""
    # mkstemp creates the file mode 600, like every file the store makes (utils.durable).
    fd, temp_path = tempfile.mkstemp(dir=data_dir, prefix=f".{filename}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            fsync(handle.fileno())
        os.replace(temp_path, os.path.join(data_dir, filename))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_path)
        raise


def remove_temp_files(data_dir, lock):
    """Delete temp files left by interrupted writes; each under its name's ``lock(name)``, so a
    write in flight in another worker is never disturbed. Returns the entries removed."""
    removed = []
    for entry in sorted(os.listdir(data_dir)):
        if not (entry.startswith(".") and entry.endswith(TEMP_SUFFIX) and ".json." in entry):
            continue
        name = entry[1:].split(".json.", 1)[0]
        with lock(name):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(data_dir, entry))
                removed.append(entry)
    return removed
