"""Load generation: Debian's ``wrk`` when installed, else Python clients in separate processes.

Both return ``Result(rps, p50_ms, p99_ms, errors, requests)`` for ``concurrency`` connections
kept open for ``duration`` seconds; errors count non-2xx answers (3xx count as errors too). A
``{n}`` in the body becomes a number that differs from one request to the next, so that every
update really changes something (an update that changes nothing writes nothing).
"""
import http.client
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def generator():
    return "wrk" if shutil.which("wrk") else "python"


def run(port, method, path, headers, body=None, concurrency=8, duration=5.0):
    if generator() == "wrk":
        return _wrk(port, method, path, headers, body, concurrency, duration)
    return _python(port, method, path, headers, body, concurrency, duration)


# -- wrk ----------------------------------------------------------------------------------------
def _wrk(port, method, path, headers, body, concurrency, duration):
    lua = "wrk.method = %s\n" % _lua_string(method)
    if body is not None:
        lua += "wrk.body = %s\nwrk.headers['Content-Type'] = 'application/json'\n" % _lua_string(body)
        if "{n}" in body:
            head, tail = body.split("{n}", 1)
            lua += ("counter = math.random(1, 1000000000)\nrequest = function()\n  counter = counter + 1\n"
                    f"  return wrk.format(nil, nil, nil, {_lua_string(head)} .. counter .. {_lua_string(tail)})\nend\n")
    for name, value in headers.items():
        lua += f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}\n"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        output = subprocess.run(
            ["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{max(1, round(duration))}s", "--latency", "-s", script.name,
             f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=True, timeout=duration + 60,
        ).stdout
    finally:
        os.unlink(script.name)
    return _parse_wrk(output)


def _lua_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _parse_wrk(output):
    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return Result(rps, latency(50), latency(99), errors, requests)


# -- Python fallback ----------------------------------------------------------------------------
def _client(port, method, path, headers, body, deadline, results):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {**headers, **({"Content-Type": "application/json"} if body is not None else {})}
    latencies, errors, started = [], 0, time.time()
    while time.time() < deadline:
        payload = body.replace("{n}", str(random.randrange(10**9))).encode() if body is not None else None
        start = time.perf_counter()
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - start) * 1000)
        errors += not 200 <= response.status < 300
    results.put((latencies, errors, time.time() - started))


def _python(port, method, path, headers, body, concurrency, duration):
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    deadline = time.time() + 1.0 + duration  # a second for the processes to start
    clients = [context.Process(target=_client, args=(port, method, path, headers, body, deadline, results))
               for _ in range(concurrency)]
    for client in clients:
        client.start()
    collected = [results.get(timeout=duration + 60) for _ in clients]
    for client in clients:
        client.join()
    latencies = sorted(value for values, _, _ in collected for value in values)
    errors = sum(count for _, count, _ in collected)
    rps = sum(len(values) / elapsed for values, _, elapsed in collected if elapsed > 0)
    if not latencies:
        return Result(0.0, float("nan"), float("nan"), errors, 0)
    return Result(rps, latencies[len(latencies) // 2],
                  latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], errors, len(latencies))


def compare(real, ceiling, slices=4, duration=5.0):
    """(real Result, ceiling Result) measured in alternating slices, so that a change in the
    machine's load (other jobs) hits both alike. ``real``/``ceiling``: (port, method, path, headers[, body])."""
    runs = {"real": [], "ceiling": []}
    for _ in range(slices):
        for name, target in (("real", real), ("ceiling", ceiling)):
            runs[name].append(run(*target, duration=duration / slices))
    return _combine(runs["real"]), _combine(runs["ceiling"])


def _combine(results):
    """One Result from slices: requests/s over all of them, the median slice's p50, the worst p99."""
    seconds = sum(result.requests / result.rps for result in results if result.rps)
    p50s = sorted(result.p50_ms for result in results)
    return Result(sum(result.requests for result in results) / seconds if seconds else 0.0,
                  p50s[len(p50s) // 2], max(result.p99_ms for result in results),
                  sum(result.errors for result in results), sum(result.requests for result in results))
