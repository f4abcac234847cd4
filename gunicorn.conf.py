"""Production serving: ``gunicorn -c gunicorn.conf.py`` from the repo root (docs/serving.md).

Every setting can be overridden from the environment (or on the command line, which wins). Several
worker processes are safe: the store locks every write across processes (SPEC §5).
"""
import os

wsgi_app = "app:create_app()"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"

# Processes give parallelism. Each worker holds the collections it serves in memory (about 60 MB
# at 10,000 tasks), so size workers by memory as well as by cores.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
# gevent: a greenlet per connection, so slow clients cost memory, not a thread each (a few slow
# senders stalled the gthread worker: docs/serving.md, "Slow clients"). A request's headers must
# arrive within ``keepalive`` seconds; each worker holds at most ``worker_connections`` connections.
# The store's locks and fsyncs cooperate with it (utils/durable.py).
# PRODSIGHT_WORKER_CLASS=gthread goes back to threads (PRODSIGHT_THREADS per worker).
worker_class = os.environ.get("PRODSIGHT_WORKER_CLASS", "gevent")
worker_connections = int(os.environ.get("PRODSIGHT_WORKER_CONNECTIONS", "1000"))
threads = int(os.environ.get("PRODSIGHT_THREADS", "4"))  # the gthread worker's threads

timeout = int(os.environ.get("PRODSIGHT_WORKER_TIMEOUT", "60"))  # a stuck worker is replaced
graceful_timeout = 30  # SIGTERM lets requests in flight finish (a write is never cut halfway)
keepalive = 5  # behind a reverse proxy keeping connections open; also the gevent worker's header deadline

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
