"""One LISTEN connection per process: the versions other servers commit, without a query per request.

Every commit that moves a record collection's or a document's version notifies ``CHANNEL`` with
``"<version> <name>"`` (a trigger on ``storage_names``, migration 0002), delivered by PostgreSQL at
commit, in commit order. The listener keeps the newest version it heard of each name; on every
(re)connection it first LISTENs, then reads every name's version, so nothing committed in between
is missed. Readers trust it only while it is *live*: connected, caught up, and proven by a round trip
of its own within ``LIVENESS`` seconds (one every ``HEARTBEAT`` seconds when idle); otherwise they
ask the database as before, so correctness never depends on the listener.

``sync()`` is the strict read: a round trip of the listener's own connection (a notification to a
channel only it listens on) started after the call. Notifications arrive in commit order, so when
that one comes back, every notification committed before the call has arrived: any write
acknowledged before it is known. Concurrent callers share one round trip.

It runs in a thread: a greenlet under gunicorn's gevent worker (monkey-patched ``threading`` and
``select``), a real thread under ``flask run`` and the tests.
"""
import atexit
import logging
import os
import select
import threading
import time

import psycopg
from psycopg import sql

log = logging.getLogger("prodsight")

CHANNEL = "prodsight_versions"
HEARTBEAT = 1.0  # seconds between idle round trips
LIVENESS = 3.0  # a listener not heard from for this long is not trusted
RETRY = (0.1, 5.0)  # reconnection backoff: first and longest wait
# A link that dies silently (no RST) fails the connection within ~15 s, so the thread reconnects;
# readers stop trusting it after LIVENESS anyway.
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3,
             "tcp_user_timeout": 15000}


# Non-empty once the interpreter exits: listeners never closed stop quietly. Registered on the first
# start, so it runs before the exit handlers registered earlier (a test server's shutdown).
_exiting = []
_at_exit = []


class Listener:
    def __init__(self, url, connect_timeout=5, on_connect=None):
        self.url = url
        self.connect_timeout = connect_timeout
        self.on_connect = on_connect  # called with the versions read on each (re)connection
        self.versions = {}  # name -> newest version heard of
        self._alive_at = None  # monotonic time the connection last proved itself; None: down
        self._asked = self._served = 0  # sync() tickets handed out, and covered by a round trip
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = None
        self._pid = None
        self._wake_read = self._wake_write = None
        self._channel = None
        self._token, self._echoed = None, False
        self.backend_pid = None
        self._connection = None  # while serving, for catch_up()
        self._reading = threading.Lock()  # one reader of the connection at a time

    # -- readers ---------------------------------------------------------------------------------
    def start(self):
        """Start listening in this process (again after a fork); cheap when already started."""
        if self._pid == os.getpid() or self._stopping:
            return
        with self._changed:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            if not _at_exit:
                _at_exit.append(atexit.register(_exiting.append, True))
            self._alive_at, self.versions = None, {}
            self._wake_read, self._wake_write = os.pipe()
            os.set_blocking(self._wake_read, False)
            os.set_blocking(self._wake_write, False)
            self._channel = f"prodsight_sync_{os.getpid()}_{id(self):x}"
            self._thread = threading.Thread(target=self._run, name="prodsight-listener", daemon=True)
            self._thread.start()

    def live(self):
        """The versions heard of, while the listener is live; else None (ask the database)."""
        alive_at = self._alive_at
        if alive_at is None or time.monotonic() - alive_at > LIVENESS:
            return None
        return self.versions

    def catch_up(self):
        """Handle, in the caller's thread, the notifications already waiting in the listener's
        socket. A busy gevent worker may run the listening greenlet only after the request that
        arrived just behind a notification: the request does not wait for it. No round trip."""
        connection = self._connection
        if connection is None or not self._reading.acquire(blocking=False):
            return  # not serving, or the thread is reading right now
        try:
            if connection is self._connection:
                self._receive(connection)
        except (psycopg.Error, OSError):
            pass  # the listening thread finds out and reconnects
        finally:
            self._reading.release()

    def sync(self, timeout=LIVENESS):
        """Wait until every notification committed before this call has arrived. False when the
        listener is not live or did not manage within ``timeout`` (then ask the database)."""
        with self._changed:
            if self.live() is None:
                return False
            self._asked += 1
            ticket = self._asked
        self._wake()
        with self._changed:
            self._changed.wait_for(lambda: self._served >= ticket or self._alive_at is None, timeout)
            return self._served >= ticket

    def stop(self):
        self._stopping = True
        self._alive_at = None
        if self._pid != os.getpid():
            return
        self._wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        for fd in (self._wake_read, self._wake_write):
            try:
                os.close(fd)
            except OSError:
                pass

    def _wake(self):
        try:
            os.write(self._wake_write, b"!")
        except (BlockingIOError, OSError):
            pass  # the pipe is full (a wake-up is pending anyway) or closed (stopping)

    # -- the listening thread -------------------------------------------------------------------
    def _run(self):
        wait = RETRY[0]
        while not (self._stopping or _exiting):
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=self.connect_timeout,
                                     **KEEPALIVE) as connection:
                    self._listen(connection)
                    wait = RETRY[0]
                    self._serve(connection)
            except (psycopg.Error, OSError) as exc:
                if not (self._stopping or _exiting) and wait == RETRY[0]:  # the first failure of a streak
                    log.warning("The PostgreSQL listener lost its connection (%s); reads ask the database "
                                "until it is back", str(exc).strip().splitlines()[0] if str(exc).strip() else exc)
            finally:
                self._down()
            if not (self._stopping or _exiting):
                self._pause(wait)
                wait = min(RETRY[1], wait * 2)

    def _listen(self, connection):
        """LISTEN first, then read every version: a commit in between is in one or the other."""
        self.versions = heard = {}
        self.backend_pid = connection.info.backend_pid  # whom to terminate in a test
        connection.add_notify_handler(self._heard)
        connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
        connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
        for name, version in connection.execute("SELECT name, version FROM storage_names").fetchall():
            if version > heard.get(name, 0):
                heard[name] = version
        if self.on_connect is not None:
            self.on_connect(heard)
        self._round_trip(connection)

    def _serve(self, connection):
        socket = connection.fileno()
        self._connection = connection
        while not self._stopping:
            ready, _, _ = select.select([socket, self._wake_read], [], [], HEARTBEAT)
            if socket in ready:
                with self._reading:
                    self._receive(connection)
            if self._wake_read in ready:
                self._drain_wake()
            if self._stopping:
                return
            if not ready or self._wake_read in ready:
                self._round_trip(connection)

    def _round_trip(self, connection):
        """Notify our own channel and wait for it: covers every sync() asked before it started."""
        with self._changed:
            covering = self._asked
            self._token = token = f"{time.monotonic_ns()}"
            self._echoed = False
        with self._reading:  # catch_up() stays out until the echo is in
            connection.execute("SELECT pg_notify(%s, %s)", (self._channel, token))
            deadline = time.monotonic() + LIVENESS
            while not self._echoed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise OSError("no answer from the database within %s s" % LIVENESS)
                if not self._receive(connection):
                    select.select([connection.fileno()], [], [], remaining)
        with self._changed:
            self._served = max(self._served, covering)
            self._alive_at = time.monotonic()
            self._changed.notify_all()

    def _receive(self, connection):
        """Handle the notifications that arrived; True if there were any."""
        pgconn = connection.pgconn
        pgconn.consume_input()
        got = False
        while (notification := pgconn.notifies()) is not None:
            pgconn.notify_handler(notification)  # psycopg's dispatch: on to _heard
            got = True
        if pgconn.status != psycopg.pq.ConnStatus.OK:
            raise OSError("the connection is closed")
        if got and self._alive_at is not None:
            self._alive_at = time.monotonic()  # heard from: alive (a busy listener makes no heartbeat)
        return got

    def _heard(self, notification):
        if notification.channel == CHANNEL:
            version, _, name = notification.payload.partition(" ")
            version = int(version)
            if version > self.versions.get(name, 0):
                self.versions[name] = version
        elif notification.payload == self._token:
            self._echoed = True

    def _down(self):
        with self._reading:
            self._connection = None
        with self._changed:
            self._alive_at = None
            self._changed.notify_all()

    def _drain_wake(self):
        try:
            while os.read(self._wake_read, 512):
                pass
        except (BlockingIOError, OSError):
            pass

    def _pause(self, seconds):
        """Sleep before reconnecting; a stop() ends it at once."""
        select.select([self._wake_read], [], [], seconds)
        self._drain_wake()
