"""The response envelope every /api answer uses: {success, data, message} or {success, message, errors}."""
import hashlib
import json

from flask import jsonify


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
