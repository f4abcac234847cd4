"""Production serving: ``gunicorn -c gunicorn.conf.py`` from the repo root (docs/serving.md).

Every setting can be overridden from the environment (or on the command line, which wins). Several
worker processes are safe: the store locks every write across processes (SPEC §5).
"""
import os

wsgi_app = "app:create_app()"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"

# Processes give parallelism; threads let a worker keep serving reads while another request of
# the same worker waits on a lock or an fsync. Each worker holds the collections it serves in
# memory (about 60 MB at 10,000 tasks), so size workers by memory as well as by cores.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
threads = int(os.environ.get("PRODSIGHT_THREADS", "4"))  # > 1 selects the gthread worker

timeout = int(os.environ.get("PRODSIGHT_WORKER_TIMEOUT", "60"))  # a stuck worker is replaced
graceful_timeout = 30  # SIGTERM lets requests in flight finish (a write is never cut halfway)
keepalive = 5  # behind a reverse proxy keeping connections open

accesslog = "-"  # to stdout, for the process manager's log
errorlog = "-"
# The worker pid (%(p)s) tells which process answered: useful when diagnosing one bad worker.
access_log_format = '%(h)s %(p)s "%(r)s" %(s)s %(b)s %(M)sms'

# Trust X-Forwarded-* only from the reverse proxy in front (same host by default).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# No answer names the server software (SPEC §2): gunicorn has no setting for its `Server: gunicorn`
# header, so its response drops that one line of the headers it adds (gunicorn is pinned).
from gunicorn.http import wsgi as _gunicorn_wsgi  # noqa: E402

_default_headers = _gunicorn_wsgi.Response.default_headers
_gunicorn_wsgi.Response.default_headers = lambda self: [
    line for line in _default_headers(self) if not line.lower().startswith("server:")]
