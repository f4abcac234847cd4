"""Which backend serves the app, chosen in this one place from the configuration (like MLflow's
store URI): ``PRODSIGHT_DATABASE_URL`` unset, the JSON files in the data directory; a
``postgresql://`` URL, PostgreSQL. The rest of the code asks for ``get_store()``, never the URL."""
from urllib.parse import urlsplit

from utils.settings import ConfigError

SCHEMES = ("postgresql", "postgres")


def open_storage(config):
    """The backend for ``config`` (``DATABASE_URL``, ``DATA_DIR``); a ``ConfigError`` naming the
    variable when the database is misnamed, unreachable or ahead of this code."""
    url = config.get("DATABASE_URL")
    if not url:
        from utils.store import Store

        return Store(config["DATA_DIR"])
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise ConfigError(f"PRODSIGHT_DATABASE_URL must be a postgresql:// URL, got one starting {scheme!r}")
    from utils.storage.postgres.backend import DatabaseUnavailable, PostgresStorage
    from utils.storage.postgres.migrate import SchemaTooNew

    try:
        return PostgresStorage(url, **config.get("DATABASE_OPTIONS", {}))
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
