"""What every durable write needs: files only their owner may read, and directory entries that
survive a crash.

Some of the store's files hold password hashes or secrets (users and its journal, `.secrets.json`),
so every file the store creates is mode 600 whatever the umask (SPEC §5): it is opened through
``private`` (an ``opener`` for ``open()``, or called as ``os.open``), or made by ``tempfile.mkstemp``,
which already creates files 600. ``make_private`` tightens what an older version left wider.
"""
import os
import stat

FILE_MODE = 0o600
OWNER_ONLY = 0o700  # as a mask: what is left of a mode without group and other permissions


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
            mode = os.lstat(path).st_mode
            if not stat.S_ISLNK(mode) and mode & 0o077:
                os.chmod(path, stat.S_IMODE(mode) & OWNER_ONLY)


def fsync_dir(path):
    """Make a directory's entries (a new or renamed file) survive a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
