"""Which backend serves the app, chosen in this one place from the configuration (like MLflow's
store URI): ``PRODSIGHT_DATABASE_URL`` unset, the JSON files in the data directory; a
``postgresql://`` URL, PostgreSQL. The rest of the code asks for ``get_store()``, never the URL."""
from urllib.parse import urlsplit

SCHEMES = ("postgresql", "postgres")


def init_app(app):
    """Open the configured backend as the app's store (``get_store()``)."""
    store = open_storage(app.config)
    app.extensions["prodsight.store"] = store
    if hasattr(store, "request_scope"):  # PostgreSQL: each name's version asked once per request
        _scope_requests(app, store)
    return store


def _scope_requests(app, store):
    from flask import g

    @app.before_request
    def open_scope():
        g._storage_scope = store.request_scope()
        g._storage_scope.__enter__()

    @app.teardown_request
    def close_scope(_error):
        scope = g.pop("_storage_scope", None)
        if scope is not None:
            scope.__exit__(None, None, None)


def open_storage(config):
    """The backend for ``config`` (``DATABASE_URL``, ``DATA_DIR``); a ``ConfigError`` naming the
    variable when the database is misnamed, unreachable or ahead of this code."""
    from utils.settings import ConfigError

    url = config.get("DATABASE_URL")
    if not url:
        from utils.storage.files import Store

        return Store(config["DATA_DIR"])
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise ConfigError(f"PRODSIGHT_DATABASE_URL must be a postgresql:// URL, got one starting {scheme!r}")
    from utils.storage.postgres.backend import FRESHNESS, DatabaseUnavailable, PostgresStorage
    from utils.storage.postgres.migrate import SchemaTooNew

    freshness = config.get("DATABASE_FRESHNESS") or "strict"
    if freshness not in FRESHNESS:
        raise ConfigError(f"PRODSIGHT_DATABASE_FRESHNESS must be one of {', '.join(FRESHNESS)}, got {freshness!r}")
    try:
        return PostgresStorage(url, freshness=freshness, **config.get("DATABASE_OPTIONS", {}))
    except DatabaseUnavailable as exc:
        raise ConfigError(f"PRODSIGHT_DATABASE_URL ({redacted(url)}): cannot reach the database: "
                          f"{exc.detail}") from None
    except SchemaTooNew as exc:
        raise ConfigError(f"PRODSIGHT_DATABASE_URL ({redacted(url)}): {exc}") from None


def redacted(url):
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
