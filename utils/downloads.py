"""Sending a stored file (SPEC §3 Assets): the bytes as an attachment, with conditional and range
requests, for video scrubbing and resumed downloads.

werkzeug's ``send_file`` gives the attachment header (with RFC 5987 ``filename*`` for a non-ASCII
name), a single range (206, or 416 when unsatisfiable) and ``If-None-Match`` (304). Two gaps are
filled here: it answers a request for several ranges with 416 (it serves exactly one), so those get
a 206 ``multipart/byteranges`` of the satisfiable ones (RFC 9110 §14.6); and it lets a Range win
over a matching ``If-None-Match``, which RFC 9110 §13.2.2 evaluates first.
"""
import os
import secrets

import flask
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import quote_etag

CHUNK = 256 * 1024
MAX_DIGITS = 18  # a byte position of 19 digits or more is past the end of any file
MAX_RANGES = 32  # more, after merging overlaps, is a request to ignore (RFC 9110 §14.2 allows it)


def send(handle, name, mimetype, etag, request):
    """Answer ``request`` with the open file ``handle`` (closed when the response is done)."""
    size = os.fstat(handle.fileno()).st_size
    if request.if_none_match.contains_weak(etag):
        handle.close()
        response = flask.Response(status=304)
        response.set_etag(etag)
        return response
    response = flask.send_file(handle, mimetype=mimetype, as_attachment=True, download_name=name,
                               conditional=False, etag=etag)
    response.call_on_close(handle.close)  # a HEAD or a 304 never reads the body
    response.content_length = size
    response.headers["X-Content-Type-Options"] = "nosniff"
    try:
        ranges = _several_ranges(request, etag, size)
        if ranges is None:
            return response.make_conditional(request, accept_ranges=True, complete_length=size)
    except RequestedRangeNotSatisfiable:
        handle.close()
        raise
    return _byteranges(response, handle, ranges, size, mimetype)


def _several_ranges(request, etag, size):
    """The satisfiable ranges of a multi-range request, sorted and merged where they overlap, or
    None when werkzeug's single-range handling applies (one range, another unit, a stale
    If-Range, too many ranges). werkzeug's own parser refuses ranges out of order or overlapping,
    which RFC 9110 allows, so they are parsed here; a single range is checked here too, since
    werkzeug reads ``bytes=-0`` as the whole file where RFC 9110 §14.1.1 finds it unsatisfiable."""
    units, _, specs = request.headers.get("Range", "").partition("=")
    if not specs or units.strip().lower() != "bytes":
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != quote_etag(etag):
        return None
    parsed = [_parse_spec(spec) for spec in specs.split(",")]
    if None in parsed:
        raise RequestedRangeNotSatisfiable(length=size)  # what werkzeug answers to a malformed single range
    spans = sorted(span for span in (_span(start, stop, size) for start, stop in parsed) if span)
    if not spans:
        raise RequestedRangeNotSatisfiable(length=size)
    if len(parsed) == 1:
        return None
    merged = [list(spans[0])]
    for start, stop in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    return merged if len(merged) <= MAX_RANGES else None


def _parse_spec(spec):
    """``first-last``, ``first-`` or ``-suffix`` as (start, stop exclusive or None); None if malformed,
    or if a number runs past ``MAX_DIGITS`` (no file is that long, and int() of thousands of digits fails)."""
    first, dash, last = spec.strip().partition("-")
    first, last = first.strip(), last.strip()
    if not dash or not all(part.isascii() and part.isdigit() and len(part) <= MAX_DIGITS
                           for part in (first, last) if part):
        return None
    if not first:
        return (-int(last), None) if last and int(last) else None  # a suffix of 0 bytes selects nothing
    if last and int(last) < int(first):
        return None
    return int(first), (int(last) + 1 if last else None)


def _span(start, stop, size):
    """A parsed range (stop exclusive, or None for "to the end"; a negative start is a suffix)
    as (start, stop) within the file, or None when it is unsatisfiable."""
    if start < 0:
        start, stop = max(size + start, 0), size
    stop = size if stop is None else min(stop, size)
    return (start, stop) if start < stop else None


def _byteranges(response, handle, ranges, size, mimetype):
    boundary = secrets.token_hex(16)
    heads = [(b"\r\n" if index else b"") + (
        f"--{boundary}\r\nContent-Type: {mimetype}\r\nContent-Range: bytes {start}-{stop - 1}/{size}\r\n\r\n"
    ).encode("ascii") for index, (start, stop) in enumerate(ranges)]
    tail = f"\r\n--{boundary}--\r\n".encode("ascii")

    def body():
        # A passthrough body is handed to the server as is, so it closes the file itself.
        with handle:
            for head, (start, stop) in zip(heads, ranges):
                yield head
                handle.seek(start)
                remaining = stop - start
                while remaining:
                    chunk = handle.read(min(CHUNK, remaining))
                    if not chunk:
                        return  # the file shrank under us: end the body rather than hang
                    remaining -= len(chunk)
                    yield chunk
            yield tail

    response.response = body()
    response.status_code = 206
    response.content_type = f"multipart/byteranges; boundary={boundary}"
    response.content_length = sum(map(len, heads)) + sum(stop - start for start, stop in ranges) + len(tail)
    response.accept_ranges = "bytes"
    return response


def generated(data, name, mimetype):
    """A file made for this request (a CSV, a PDF) as an attachment under ``name``: bytes, not an envelope."""
    response = flask.Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
