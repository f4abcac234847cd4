"""Group commit: threads of one process writing the same name at once share one write.

Their blocks run one at a time, each on the state the previous one left, while the write before
them is being fsynced; then one write makes all of them durable together. A process lets the
lock go after ``GROUP_ROUNDS`` writes in a row, so other processes get their turn.
"""
import contextlib
import itertools
import threading
import time

from utils.storage import durability
from utils.storage.changes import settle, working_copy

GROUP_ROUNDS = 1  # writes one process makes in a row before it lets the lock go (measured: 1 is best)
GROUP_WAIT = 0.005  # seconds a write waits at most for blocks already on their way into it


class GroupCommit:
    """The write path of ``Store``: ``_edit(name, done)`` is a one-name transaction; the Store
    provides ``snapshot``, ``_commit`` and ``lock_path``."""

    @contextlib.contextmanager
    def _edit(self, name, done):
        """Yield a working copy of the document, free to change in place; write it back atomically
        if the block succeeds, and return only once it is on disk. The lock is held for the whole
        cycle (id generation included). An exception inside the block leaves the file, and what
        every reader sees, exactly as it was.

        Threads of one process writing the same document at once share one write (group commit):
        their blocks run one at a time, each on the state the previous one left, while the write
        before them is being fsynced; then one write makes all of them durable together.
        """
        group = self._group(name)
        with group.admit:
            while group.draining:  # let another process have the lock before this one retakes it
                group.admit.wait()
            group.arriving += 1
        with group.mutex:
            group.arriving -= 1
            if group.handle is None:
                group.handle = self._acquire(name)
                try:
                    group.base = self.snapshot(name)  # under the lock: the file's current version
                except BaseException:  # a broken file: nothing to write on
                    self._release(group)
                    raise
                group.pending, group.changes = group.base.document, []
            working = working_copy(group.pending)
            try:
                yield working
                document, changes = settle(group.pending, working)
            except BaseException:
                if not (group.tickets or group.writing):
                    self._release(group)  # nothing else stands on the lock
                raise
            group.pending = document
            group.changes.append(changes)
            ticket = Ticket()
            group.tickets.append(ticket)
        self._flush_or_wait(name, group, ticket)
        done[name] = changes

    def _group(self, name):
        with self._cache_guard:
            return self._groups.setdefault(name, Group())

    @staticmethod
    def _release(group):
        group.handle.close()  # closing the last descriptor releases the flock
        group.handle = group.base = group.pending = None

    def _flush_or_wait(self, name, group, ticket):
        """Become the thread that writes the pending blocks, or wait for the one that does."""
        with group.flush_done:
            while group.flushing and not ticket.done:
                group.flush_done.wait()
            lead = not ticket.done
            group.flushing = group.flushing or lead
        if lead:
            try:
                self._flush(name, group)
            finally:
                with group.admit:
                    group.draining = False
                    group.admit.notify_all()
                with group.flush_done:
                    group.flushing = False
                    group.flush_done.notify_all()
        ticket.result()

    def _flush(self, name, group):
        """Write what the blocks left, again while more blocks joined meanwhile; then let go of the lock."""
        for rounds in itertools.count(1):
            wait_for(lambda: group.arriving == 0, GROUP_WAIT)  # blocks about to join come along
            with group.mutex:
                group.writing = False
                tickets, changes, group.tickets, group.changes = group.tickets, group.changes, [], []
                if not tickets:
                    self._release(group)
                    return
                group.writing = True
                pending = group.pending
            if rounds == GROUP_ROUNDS:
                with group.admit:
                    group.draining = True  # others wait, so this process lets the lock go soon
            try:
                group.base = self._commit(name, group.base, pending, changes)
            except BaseException as exc:
                with group.mutex:  # blocks built on the failed write fail with it
                    group.writing = False
                    tickets += group.tickets
                    group.tickets, group.changes = [], []
                    self._release(group)
                self._finish(group, tickets, exc)
                return
            self._finish(group, tickets, None)

    @staticmethod
    def _finish(group, tickets, error):
        with group.flush_done:
            for ticket in tickets:
                ticket.finish(error)
            group.flush_done.notify_all()

    def _acquire(self, name):
        return durability.acquire(self.lock_path(name))


class Group:
    """One process's writers of one document: who holds the lock, and the blocks not yet written."""

    def __init__(self):
        self.mutex = threading.Lock()  # one block at a time; guards the fields below
        self.handle = None  # the open lock file while this process holds the lock
        self.base = None  # the Snapshot on disk that the pending blocks started from
        self.pending = None  # the document with every pending block applied
        self.changes = []  # their Changes, in order
        self.tickets = []  # their threads, waiting for the write
        self.writing = False  # a write of taken blocks is under way (the lock must stay held)
        self.flushing = False  # a thread is writing, or about to: the others wait for it
        self.flush_done = threading.Condition()
        self.draining = False
        self.admit = threading.Condition()
        self.arriving = 0  # threads past ``admit`` whose block has not joined yet


class Ticket:
    def __init__(self):
        self.done, self.error = False, None

    def finish(self, error):
        self.done, self.error = True, error

    def result(self):
        if self.error is not None:
            raise self.error


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.0002)
