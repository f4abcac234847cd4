"""The response envelope every /api answer uses: {success, data, message} or {success, message, errors}.

Reads can be cached encoded (``cached``): a list or a record of an unchanged collection is neither
rebuilt nor re-encoded, and a client that sends its ``ETag`` back in ``If-None-Match`` gets a 304.
"""
import collections
import contextlib
import hashlib
import json
import threading

from flask import Response, current_app, jsonify, request

from utils.store import get_store


def envelope(success, data=None, message=None, errors=None, meta=None, status=200):
    body = {"success": success}
    if success:
        body["data"] = data
    if message:
        body["message"] = message
    if errors:
        body["errors"] = errors
    if meta is not None:
        body["meta"] = meta
    response = jsonify(body)
    response.status_code = status
    return response


def ok(data, message, status=200, headers=None, meta=None):
    """Success; ``message`` is required, reads included: the frontend shows it (SPEC §2)."""
    response = envelope(True, data=data, message=message, meta=meta, status=status)
    response.headers.update(headers or {})
    return response


def ok_resource(data, message, status=200):
    """A single resource, with its ETag so a client can update it with If-Match."""
    return ok(data, message, status=status, headers={"ETag": etag_of(data)})


def ok_list(page, noun, plural=None):
    """A list: ``data`` stays a JSON array; paging adds ``meta``; always ``X-Total-Count``.
    The message counts the whole list: "12 tasks", "1 task"."""
    return ok(page.items, count(page.total, noun, plural), meta=page.meta, headers={"X-Total-Count": str(page.total)})


def count(number, noun, plural=None):
    """ "1 task", "12 tasks", "3 ledger entries" (with ``plural`` given)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def etag_of(resource):
    """A strong validator: the hash of the resource as clients see it."""
    canonical = json.dumps(resource, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return '"' + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32] + '"'


# -- cached lists ---------------------------------------------------------------------------
CACHE_BYTES = 48 * 1024 * 1024  # per worker: about ten full lists of 10,000 tasks


class ResponseCache:
    """Encoded 200 responses by key, least recently used first out once over ``limit`` bytes."""

    def __init__(self, limit=CACHE_BYTES):
        self.limit = limit
        self.size = 0
        self._entries = collections.OrderedDict()  # key -> (body, headers, etag)
        self._guard = threading.Lock()
        self._building = {}  # key -> [lock, threads using it]

    def get(self, key):
        with self._guard:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    @contextlib.contextmanager
    def building(self, key):
        """One thread builds a given entry at a time: when a list changes and every poller of it
        arrives at once, the others wait for that build instead of each making their own."""
        with self._guard:
            slot = self._building.setdefault(key, [threading.Lock(), 0])
            slot[1] += 1
        try:
            with slot[0]:
                yield
        finally:
            with self._guard:
                slot[1] -= 1
                if not slot[1]:
                    del self._building[key]

    def put(self, key, entry):
        if len(entry[0]) > self.limit:
            return
        with self._guard:
            old = self._entries.pop(key, None)
            self.size += len(entry[0]) - (len(old[0]) if old else 0)
            self._entries[key] = entry
            while self.size > self.limit:
                _, (body, _, _) = self._entries.popitem(last=False)
                self.size -= len(body)


def cached(build, depends, scope):
    """The response ``build()`` makes, kept encoded under (URL, query, ``scope``, the versions of
    the ``depends`` documents): ``scope`` names what the caller may see (every task, or only their
    own), so callers who see the same share one entry; any write to a document it depends on
    makes a new key. A response keeps its own ETag (a resource's, which If-Match checks) or gets
    its body's hash; a matching ``If-None-Match`` is a 304 without a body."""
    store = get_store()
    versions = tuple(store.version(name) for name in depends)  # before building: never
    key = (request.path, tuple(sorted(request.args.items(multi=True))), scope, versions)  # newer
    cache = current_app.extensions.setdefault("prodsight.responses", ResponseCache())
    entry = cache.get(key)
    if entry is None:
        with cache.building(key):
            entry = cache.get(key)  # built by another thread while this one waited
            if entry is None:
                response = build()
                if response.status_code != 200:
                    return response
                body = response.get_data()
                headers = {name: value for name, value in response.headers.items() if name == "X-Total-Count"}
                etag = response.headers.get("ETag") or '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
                entry = (body, headers, etag)
                cache.put(key, entry)
    body, headers, etag = entry
    if request.if_none_match.contains(etag.strip('"')):
        return Response(status=304, headers={"ETag": etag})
    return Response(body, status=200, headers={**headers, "ETag": etag}, mimetype="application/json")
