from flask import Blueprint

from utils.auth import PUBLIC, requires
from utils.responses import ok

VERSION = "1.0.0"

bp = Blueprint("meta", __name__)


@bp.get("/health")
@requires(PUBLIC)
def health():
    return ok({"status": "ok", "version": VERSION}, "API is up")
