"""The store's append-only log: one JSON object a line (JSON Lines), never rewritten.

Appending costs the same however long the log is: under the store's lock of the log, the writer
reads only the file's last line (for the last id and time), writes one line with ``O_APPEND`` and
fsyncs it before the write is acknowledged. Ids are dense ("000000000001", "000000000002"...):
zero-padded, so they increase both as numbers and as strings, across workers and restarts, and
the count of events is the last id. ``at`` never goes backwards, even if the clock does.

A ``kill -9`` mid-append can leave a torn last line (no newline): readers ignore it, the next
append and startup cut it off. Reading goes backwards from the end, so the newest page, or the
events after a recent id, cost what they return, not the size of the log.
"""
import contextlib
import json
import os

from utils.durable import fsync, fsync_dir, private

ID_WIDTH = 12
BLOCK = 64 * 1024


class EventLog:
    def __init__(self, path, lock):
        self.path = path
        self.lock = lock  # a context manager factory: the store's cross-process lock of this log

    @property
    def filename(self):
        return os.path.basename(self.path)

    # -- writing ---------------------------------------------------------------------------
    def append(self, make_event):
        """Append ``make_event(id, last_at)`` as one line under the lock; return the event."""
        with self.lock():
            with self._open_for_append() as fd:
                last = self._cut_torn_tail(fd)
                number = int(last["id"]) + 1 if last else 1
                event = make_event(format_id(number), last["at"] if last else None)
                line = json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"
                end = os.fstat(fd).st_size
                try:
                    _write_all(fd, line.encode("utf-8"))
                    fsync(fd)
                except OSError:
                    # A full or failing disk: take back whatever part of the line got in, so the
                    # log holds no torn or unconfirmed event (the caller does not acknowledge).
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, end)
                    raise
        return event

    def repair(self):
        """Cut off a torn last line left by a crash (startup). True if something was cut."""
        if not os.path.exists(self.path):
            return False
        with self.lock():
            with self._open_for_append() as fd:
                before = os.fstat(fd).st_size
                self._cut_torn_tail(fd)
                return os.fstat(fd).st_size != before

    @contextlib.contextmanager
    def _open_for_append(self):
        created = not os.path.exists(self.path)
        fd = private(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
        try:
            if created:
                fsync_dir(os.path.dirname(self.path))  # the new name must survive a crash too
            yield fd
        finally:
            os.close(fd)

    def _cut_torn_tail(self, fd):
        """Truncate an unterminated last line; return the last complete event (or None)."""
        size = os.fstat(fd).st_size
        end = _end_of_last_line(fd, size)
        if end < size:  # bytes after the last newline: a torn line from a crash
            os.ftruncate(fd, end)
            fsync(fd)
        return _parse(_line_ending_at(fd, end)) if end else None

    # -- reading ---------------------------------------------------------------------------
    def last(self):
        """The newest complete event, or None."""
        return next(self.newest_first(), None)

    def newest_first(self):
        """Every complete event, newest first, read backwards in blocks. A torn last line and a
        damaged line (reported by ``damaged_lines``) are skipped."""
        try:
            handle = open(self.path, "rb")
        except FileNotFoundError:
            return
        with handle:
            for raw in _lines_backwards(handle):
                event = _parse(raw)
                if event is not None:
                    yield event

    def damaged_lines(self):
        """(line number, problem) for every line that is not a complete event, oldest first."""
        problems = []
        try:
            handle = open(self.path, "rb")
        except FileNotFoundError:
            return problems
        with handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.endswith(b"\n"):
                    problems.append((number, "torn last line (no newline): cut off at the next start"))
                elif _parse(raw) is None:
                    problems.append((number, "not a JSON event"))
        return problems


def _write_all(fd, data):
    """``os.write`` until every byte is written (a nearly full disk may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def format_id(number):
    return f"{number:0{ID_WIDTH}d}"


def parse_id(text):
    """The number of an event id, or None when ``text`` is not one."""
    if not (isinstance(text, str) and 0 < len(text) <= 20 and text.isascii() and text.isdigit()):
        return None
    return int(text) or None


def _parse(raw):
    try:
        event = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(event, dict) or parse_id(event.get("id")) is None:
        return None
    return event


def _end_of_last_line(fd, size):
    """The offset just after the file's last newline (0 when it has none)."""
    position = size
    while position > 0:
        step = min(BLOCK, position)
        position -= step
        newline = os.pread(fd, step, position).rfind(b"\n")
        if newline != -1:
            return position + newline + 1
    return 0


def _line_ending_at(fd, end):
    """The complete line that ends (with its newline) at offset ``end``."""
    chunk, position = b"", end
    while position > 0 and b"\n" not in chunk[:-1]:
        step = min(BLOCK, position)
        position -= step
        chunk = os.pread(fd, step, position) + chunk
    return chunk[chunk.rfind(b"\n", 0, len(chunk) - 1) + 1:]


def _lines_backwards(handle):
    """Complete lines (each ending in a newline), last first; an unterminated tail is dropped.

    ``buffer`` always ends at a line boundary; its first line may start in an earlier block, so it
    is kept back until the block before it is read."""
    handle.seek(0, os.SEEK_END)
    position = handle.tell()
    buffer, tail_dropped = b"", False
    while position > 0:
        step = min(BLOCK, position)
        position -= step
        handle.seek(position)
        buffer = handle.read(step) + buffer
        if not tail_dropped:
            newline = buffer.rfind(b"\n")
            if newline == -1 and position > 0:
                continue
            buffer, tail_dropped = buffer[:newline + 1], True
        split = buffer.find(b"\n") + 1 if position > 0 else 0
        head, body = buffer[:split], buffer[split:]
        for line in reversed(body.split(b"\n")[:-1]):
            yield line + b"\n"
        buffer = head
