"""Start and stop a real gunicorn on 127.0.0.1, in its own process group (benchmark and tests)."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF = os.path.join(ROOT, "gunicorn.conf.py")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """One gunicorn master and its workers; ``stop()`` (or ``kill()``) ends the whole group."""

    def __init__(self, env, workers=3, threads=None, app="app:create_app()", app_dir=ROOT, log_path=None,
                 worker_class=None):
        self.port = free_port()
        self.log_path = log_path
        self._log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        command = [sys.executable, "-m", "gunicorn", "-c", CONF, "--chdir", app_dir,
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
        # None keeps what gunicorn.conf.py chooses
        command += ["--threads", str(threads)] if threads is not None else []
        command += ["--worker-class", worker_class] if worker_class is not None else []
        command.append(app)
        self.process = subprocess.Popen(
            command, env={**os.environ, **env}, cwd=app_dir, start_new_session=True,
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )

    def wait_ready(self, path="/api/health", timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                status, _, _ = self.request("GET", path, timeout=2)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn not ready after {timeout} s; see {self.log_path}")

    def request(self, method, path, body=None, headers=None, timeout=30):
        """(status, parsed JSON body or raw bytes, headers) over a fresh connection."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            return send(connection, method, path, body, headers)
        finally:
            connection.close()

    def worker_pids(self):
        """The pids of the master's worker processes (Linux /proc)."""
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        fields = handle.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    pids.append(int(entry))
        return sorted(pids)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Signal the whole process group and wait for the master; SIGKILL if it lingers."""
        try:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)
        except ProcessLookupError:
            pass
        finally:
            with_group_gone(self.process.pid)
            if self.log_path:
                self._log.close()

    def kill(self):
        self.stop(signal.SIGKILL)


def with_group_gone(pgid, timeout=10):
    """Make sure no process of the group survives its master (workers of a killed master)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def send(connection, method, path, body=None, headers=None):
    payload = json.dumps(body).encode() if body is not None else None
    headers = {**({"Content-Type": "application/json"} if payload is not None else {}), **(headers or {})}
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    raw = response.read()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = raw
    return response.status, data, dict(response.getheaders())


def login(server, username, password):
    status, body, _ = server.request("POST", "/api/auth/login", {"username": username, "password": password})
    if status != 200:
        raise RuntimeError(f"login as {username} failed: {status} {body}")
    return {"Authorization": "Bearer " + body["data"]["access_token"]}
