"""The uploads directory (SPEC §3 Assets, §6 PRODSIGHT_UPLOAD_DIR): the one place that knows it.

A multipart file part is streamed from the request body straight into a temp file in the uploads
directory, counted and hashed (SHA-256) while it is copied, so a file of any size never sits in
memory; a file over the limit stops the copy with a 413. A temp file becomes a stored file only
when the service keeps it, under a generated name; every part not kept is removed when the request
ends, whatever happened, so a refused upload leaves nothing behind.
"""
import contextlib
import fcntl
import hashlib
import logging
import os
import re
import secrets
import stat
import tempfile

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.wsgi import get_input_stream

from utils.errors import ApiError, NotFound, ValidationError
from utils.durable import OWNER_ONLY, fsync, fsync_dir, make_private, storage_step

UPLOAD_STEP = "the uploaded file"  # named in a 507/503 when the disk refuses an upload

log = logging.getLogger("prodsight")

PART_PREFIX, PART_SUFFIX = ".upload-", ".part"
STORED_NAME = re.compile(r"[0-9a-f]{32}\.[a-z0-9]{1,8}")  # what ``Upload.keep`` generates
FORM_SLACK = 1024 * 1024  # the multipart headers and text fields around the file
HEAD_BYTES = 16  # enough for every file signature the assets service checks
MAX_PARTS = 20  # a file and its text fields; more is a 400 before the part past it is opened (SPEC §2)


class Upload:
    """One file being received into the uploads directory: its size, first bytes and SHA-256."""

    def __init__(self, name, limit):
        self.name = name  # as the client sent it: metadata only, never a path
        self.limit = limit
        self.size = 0
        self.head = b""
        self.stored_name = None
        self._hash = hashlib.sha256()
        with storage_step(UPLOAD_STEP):
            fd, self._path = tempfile.mkstemp(dir=directory(), prefix=PART_PREFIX, suffix=PART_SUFFIX)
        self._file = os.fdopen(fd, "wb")
        fcntl.flock(fd, fcntl.LOCK_EX)  # held while writing: startup cleanup skips a live part

    # -- the file-like end werkzeug's multipart parser writes into ------------------------------
    def write(self, data):
        self.size += len(data)
        if self.size > self.limit:
            raise RequestEntityTooLarge()  # also stops a chunked body that declared no length
        if len(self.head) < HEAD_BYTES:
            self.head += data[:HEAD_BYTES - len(self.head)]
        self._hash.update(data)
        with storage_step(UPLOAD_STEP):  # the part is removed when the request ends (``receive``)
            self._file.write(data)
        return len(data)

    def seek(self, *_args):
        return 0  # the parser rewinds a finished part; we never read it back through here

    # -- what the service does with it ---------------------------------------------------------
    @property
    def sha256(self):
        return self._hash.hexdigest()

    def keep(self, extension):
        """Make the received file a stored file under a new unique name; return that name."""
        name = secrets.token_hex(16) + extension
        if not STORED_NAME.fullmatch(name):
            raise ValueError(f"not a storable extension: {extension!r}")
        with storage_step(UPLOAD_STEP):
            self._file.flush()
            fsync(self._file.fileno())
            self._file.close()
            os.replace(self._path, path_of(name))
            try:
                fsync_dir(directory())
            except OSError:  # not durable, so not kept: no record will name it
                with contextlib.suppress(OSError):
                    os.unlink(path_of(name))
                raise
        self.stored_name = name
        return name

    def reader(self):
        """The received bytes, to read back (a small text file a service parses, not keeps)."""
        self._file.flush()
        return open(self._path, "rb")

    def discard(self):
        """Remove the temp file unless it was kept (safe to call twice)."""
        with contextlib.suppress(OSError):  # a full disk may refuse the buffered rest: it goes anyway
            self._file.close()
        if self.stored_name is None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._path)


class Received:
    """A parsed multipart body: text ``fields`` (one value each) and ``files`` as (part name, Upload)."""

    def __init__(self, fields, files):
        self.fields = fields
        self.files = files

    def file(self, name):
        """The first file part named ``name``, or None."""
        return next((upload for part, upload in self.files if part == name), None)


def is_multipart():
    return request.mimetype == "multipart/form-data"


@contextlib.contextmanager
def receive():
    """Parse the request's multipart body, streaming every file part into the uploads directory.

    Yields a ``Received``; on exit every part the service did not ``keep`` is removed, also when
    the body was over the limit, malformed, or refused by the service.
    """
    limit = max_upload_bytes()
    parts = []

    def stream_factory(total_content_length, content_type, filename, content_length=None):
        parts.append(Upload(filename, limit))
        return parts[-1]

    parser = FormDataParser(
        stream_factory=stream_factory,
        max_form_memory_size=request.max_form_memory_size,
        max_content_length=limit + FORM_SLACK,
        max_form_parts=request.max_form_parts,
        silent=False,
    )
    stream = _AtMostParts(get_input_stream(request.environ, max_content_length=limit + FORM_SLACK),
                          request.mimetype_params.get("boundary", ""))
    try:
        try:
            _, form, files = parser.parse(stream, request.mimetype, request.content_length, request.mimetype_params)
        except ValueError as exc:
            raise ApiError(f"Malformed multipart body: {exc}", errors={"body": "must be multipart/form-data"}) from None
        yield Received(_single_values(form), [(name, storage.stream) for name, storage in files.items(multi=True)])
    finally:
        for part in parts:
            part.discard()


@contextlib.contextmanager
def from_bytes(name, data):
    """An ``Upload`` of bytes made by the server (the demo's files), removed on exit unless kept."""
    upload = Upload(name, max(len(data), 1))
    try:
        upload.write(data)
        yield upload
    finally:
        upload.discard()


class _AtMostParts:
    """The request body as the multipart parser reads it, counting the boundary delimiters as they
    go by: past ``MAX_PARTS`` parts (and the closing delimiter) the read is a 400, so the parser
    never opens a temp file for a part past the limit, and no request holds hundreds of files."""

    def __init__(self, stream, boundary):
        self._stream = stream
        self._delimiter = b"--" + boundary.encode("ascii", "replace")
        self._tail = b""  # the last bytes read, too short to hold a whole delimiter
        self._delimiters = 0

    def read(self, size=-1):
        data = self._stream.read(size)
        window = self._tail + data
        self._delimiters += window.count(self._delimiter)
        self._tail = window[-(len(self._delimiter) - 1):]
        if self._delimiters > MAX_PARTS + 1:
            raise ValidationError({"body": f"must have at most {MAX_PARTS} parts (the file and its fields)"},
                                  message="Too many parts in the multipart body")
        return data


def _single_values(form):
    repeated = sorted(name for name, values in form.lists() if len(values) > 1)
    if repeated:
        raise ValidationError(dict.fromkeys(repeated, "sent more than once; send it once"))
    return form.to_dict()


# -- stored files ---------------------------------------------------------------------------------
def open_stored(name):
    """The stored file ``name`` opened for reading, or a 404: only a generated name of a regular
    file directly in the uploads directory is served (no separators, no symlinks)."""
    if not isinstance(name, str) or not STORED_NAME.fullmatch(name):
        raise NotFound("File not found")
    try:
        fd = os.open(path_of(name), os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        raise NotFound("File not found") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotFound("File not found")
    return os.fdopen(fd, "rb")


def exists(name):
    return bool(STORED_NAME.fullmatch(name)) and os.path.isfile(path_of(name))


def remove(name):
    if STORED_NAME.fullmatch(name):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path_of(name))


def stored_names():
    """Every stored file's name (the temp files of uploads in flight are not stored files)."""
    return {entry for entry in os.listdir(directory()) if STORED_NAME.fullmatch(entry)}


def directory():
    return current_app.config["UPLOAD_DIR"]


def path_of(name):
    return os.path.join(directory(), name)


def max_upload_bytes():
    return current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024


def remove_stale_parts():
    """Delete the temp files of uploads interrupted by a crash; a part another worker is still
    writing holds its lock and is left alone. Returns the names removed."""
    removed = []
    for entry in sorted(os.listdir(directory())):
        if not (entry.startswith(PART_PREFIX) and entry.endswith(PART_SUFFIX)):
            continue
        with contextlib.suppress(FileNotFoundError), open(path_of(entry), "rb") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            os.unlink(path_of(entry))
            removed.append(entry)
    return removed


def init_app(app):
    os.makedirs(app.config["UPLOAD_DIR"], mode=OWNER_ONLY, exist_ok=True)
    make_private(app.config["UPLOAD_DIR"])  # a production's footage is its owner's only, like its data
    with app.app_context():
        for entry in remove_stale_parts():
            log.warning("Removed %s, left by an interrupted upload", entry)
