"""What every durable write needs: files only their owner may read, fsync (of files and of their
directory), an exclusive lock that does not stall the server, and one error for a disk that fails.

Some of the store's files hold password hashes or secrets (users and its journal, `.secrets.json`),
so every file the store creates is mode 600 whatever the umask (SPEC §5): it is opened through
``private`` (an ``opener`` for ``open()``, or called as ``os.open``), or made by ``tempfile.mkstemp``,
which already creates files 600. ``make_private`` tightens what an older version left wider.

Under gunicorn's gevent worker (docs/serving.md) every connection of a worker is a greenlet on one
OS thread, so a call that blocks in the kernel blocks them all. Two such calls matter here:
- ``flock`` waiting for another holder. If that holder is a greenlet of the same worker, it can
  never run to let go: the worker deadlocks. So, once gevent has patched the process, the lock is
  taken without blocking and retried after a cooperative sleep, which lets every other greenlet
  (the holder included) run meanwhile.
- ``fsync``, which can take tens of milliseconds. It runs in gevent's pool of OS threads while the
  greenlet that asked waits; the others keep serving. Nothing in that pool ever waits for a lock,
  so it cannot deadlock.
Without gevent (threads, tests, the command line) both are the plain blocking calls. A password
hash (scrypt releases the GIL) goes to the same pool through ``off_the_loop``.
"""
import errno
import fcntl
import os
import stat
import sys
import time

FILE_MODE = 0o600
OWNER_ONLY = 0o700  # as a mask: what is left of a mode without group and other permissions
LOCK_POLL_FIRST, LOCK_POLL_MAX = 0.0002, 0.002  # seconds between two tries of a contended lock


def private(path, flags):
    """``os.open`` creating a file readable and writable by its owner only; usable as ``opener=``."""
    return os.open(path, flags, FILE_MODE)


def make_private(directory):
    """Take group and other permissions off ``directory`` and everything in it (startup: files left
    by an older version, or made under a loose umask). Symbolic links are left alone."""
    os.chmod(directory, stat.S_IMODE(os.stat(directory).st_mode) & OWNER_ONLY)
    for root, directories, files in os.walk(directory):
        for name in directories + files:
            path = os.path.join(root, name)
            try:
                mode = os.lstat(path).st_mode
                if not stat.S_ISLNK(mode) and mode & 0o077:
                    os.chmod(path, stat.S_IMODE(mode) & OWNER_ONLY)
            except FileNotFoundError:
                continue  # another worker's temp file, renamed into place since the listing


# Errors of the disk itself, not of the program: the answer is a 507 or a 503, never a 500.
STORAGE_ERRNOS = {errno.ENOSPC: 507, errno.EDQUOT: 507, errno.EIO: 503, errno.EROFS: 503}


# What the client is told of its change, by how far the write got before the disk failed.
OUTCOMES = {
    False: "the change was not saved; try again once the server's disk is fixed",
    None: "the change may have been saved but is not confirmed; reload before repeating it",
    True: "the change was saved but could not be logged, so it is not confirmed; reload before repeating it",
}


class StorageError(Exception):
    """The disk refused a write (full, over quota, I/O error, read-only): the request is not
    acknowledged. ``saved`` says how far it got: False (nothing changed), None (renamed into
    place, not yet durable), True (the change is on disk, its activity event is not)."""

    def __init__(self, step, error, saved=False):
        self.step = step  # what was being written: "tasks.json", "the activity log", "the upload"
        self.errno = error.errno
        self.saved = saved
        self.status = STORAGE_ERRNOS.get(error.errno, 503)
        reason = os.strerror(error.errno).lower() if error.errno else str(error)
        super().__init__(f"Storage failure while writing {step} ({reason}): {OUTCOMES[saved]}")


def is_storage_error(error):
    return isinstance(error, OSError) and error.errno in STORAGE_ERRNOS


class storage_step:
    """``with storage_step("tasks.json"):`` turns a disk failure inside the block into a
    ``StorageError`` naming what was being written; any other error passes through unchanged."""

    def __init__(self, step, saved=False):
        self.step, self.saved = step, saved

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if is_storage_error(error):
            raise StorageError(self.step, error, self.saved) from error
        return False


def cooperative():
    """True once gevent has patched this process (gunicorn's gevent worker)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("time")


def lock_exclusive(fd):
    """Take the exclusive ``flock`` of ``fd``, waiting as long as it takes (see the module doc)."""
    if not cooperative():
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    delay = LOCK_POLL_FIRST
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            time.sleep(delay)  # patched by gevent: the other greenlets run meanwhile
            delay = min(delay * 2, LOCK_POLL_MAX)


def off_the_loop(function, *args):
    """``function(*args)``; under gevent in its pool of OS threads, for work that releases the GIL
    (a password hash: 100+ ms of scrypt), so the worker keeps serving meanwhile."""
    if cooperative():
        import gevent

        return gevent.get_hub().threadpool.apply(function, args)
    return function(*args)


def fsync(fd):
    """``os.fsync(fd)``; under gevent in its pool of OS threads, so the other greenlets keep serving."""
    if cooperative():
        import gevent

        gevent.get_hub().threadpool.apply(os.fsync, (fd,))
    else:
        os.fsync(fd)


def fsync_dir(path):
    """Make a directory's entries (a new or renamed file) survive a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        fsync(fd)
    finally:
        os.close(fd)
