"""The ceiling: a bare Flask app answering each benchmarked read with the real server's bytes,
from memory. Served by the same gunicorn settings, it is the best the real app could do.

``BENCH_CEILING_DIR`` holds one file per read (``<key>.json``); ``GET /<key>`` returns it.
"""
import os

from flask import Flask, Response

app = Flask(__name__)
_bodies = {}
_directory = os.environ.get("BENCH_CEILING_DIR", "")
for _entry in os.listdir(_directory) if _directory else ():
    with open(os.path.join(_directory, _entry), "rb") as _handle:
        _bodies[_entry.removesuffix(".json")] = _handle.read()


@app.get("/<key>")
def serve(key):
    return Response(_bodies[key], mimetype="application/json")


@app.get("/api/health")
def health():
    return Response(b'{"success":true}', mimetype="application/json")
