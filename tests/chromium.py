"""Headless Chromium for the browser tests: a one-shot run (``--dump-dom``, ``--screenshot``) and
a session driven over the DevTools protocol on a pipe, to click through a page."""
import fcntl
import json
import os
import shutil
import subprocess
import time

BINARY = shutil.which("chromium") or shutil.which("chromium-browser")


def flags(profile):
    """A fresh profile, no background traffic; outside hosts do not resolve, so nothing can load
    from the internet unnoticed."""
    return [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ]


def run(profile, *args):
    result = subprocess.run([BINARY, *flags(profile), "--virtual-time-budget=15000", *args],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


class Session:
    """Chromium with ``--remote-debugging-pipe``: it reads commands on fd 3 and answers on fd 4,
    each message JSON ended by a NUL byte."""

    def __init__(self, profile):
        commands_in, self._commands = os.pipe()
        self._answers, answers_out = os.pipe()

        def wire_pipes():  # in the child: move the pipe ends to fds 3 and 4 without clobbering either
            high_in, high_out = fcntl.fcntl(commands_in, fcntl.F_DUPFD, 10), fcntl.fcntl(answers_out, fcntl.F_DUPFD, 10)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self.process = subprocess.Popen([BINARY, *flags(profile), "--remote-debugging-pipe", "about:blank"],
                                        pass_fds=(3, 4), preexec_fn=wire_pipes,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_in)
        os.close(answers_out)
        self._reader = os.fdopen(self._answers, "rb")
        self._buffer, self._last_id = b"", 0

    def send(self, method, session_id=None, check=True, **params):
        self._last_id += 1
        message = {"id": self._last_id, "method": method, "params": params}
        if session_id:
            message["sessionId"] = session_id
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == self._last_id:
                assert "error" not in answer or not check, answer["error"]
                return answer.get("result", {})

    def open(self, url, timeout=30):
        """A new tab on ``url``, once loaded; returns its session id for ``evaluate``."""
        target = self.send("Target.createTarget", url=url)["targetId"]
        session_id = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.send("Runtime.evaluate", session_id, expression="location.href + ' ' + document.readyState",
                               returnByValue=True, check=False)
            if answer.get("result", {}).get("value") == f"{url} complete":
                return session_id
            time.sleep(0.1)  # still about:blank, or the page is loading
        raise AssertionError(f"{url} did not load in {timeout} s")

    def evaluate(self, session_id, expression):
        """The value of a JavaScript expression in the tab (a promise is awaited)."""
        result = self.send("Runtime.evaluate", session_id, expression=expression, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def _read(self):
        while b"\0" not in self._buffer:
            chunk = self._reader.read1(65536)
            assert chunk, "chromium closed the DevTools pipe"
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def close(self):
        try:
            self.send("Browser.close")
            self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            os.close(self._commands)
            self._reader.close()
