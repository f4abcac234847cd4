"""The response envelope every /api answer uses: {success, data, message} or {success, message, errors}."""
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


def ok(data=None, message=None, status=200, headers=None, meta=None):
    response = envelope(True, data=data, message=message, meta=meta, status=status)
    response.headers.update(headers or {})
    return response


def created(data, message):
    return ok(data, message, status=201)
