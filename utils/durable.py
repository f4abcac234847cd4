"""What every durable write needs once the data is fsynced: the directory entry made durable too."""
import os


def fsync_dir(path):
    """Make a directory's entries (a new or renamed file) survive a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
