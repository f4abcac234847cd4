"""Configuration from the environment and `.env` (SPEC §6), read through small typed helpers."""
import datetime
import os
import secrets

from dotenv import load_dotenv

from utils.store import StoreCorruptError

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_ORIGINS = "http://localhost:3000,http://localhost:5173"
MIN_KEY_BYTES = 32


class ConfigError(RuntimeError):
    """A setting that stops the app at startup; the message names the variable."""


def _int(name, default, minimum=1):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _path(name, default):
    return os.path.abspath(os.environ.get(name) or os.path.join(BASE_DIR, default))


def from_environment():
    """Settings from the environment; gunicorn and `flask` do not load `.env` themselves, so we do."""
    load_dotenv(os.path.join(BASE_DIR, ".env"))
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "JWT_SECRET_KEY": os.environ.get("JWT_SECRET_KEY") or None,
        "JWT_ACCESS_TOKEN_EXPIRES": datetime.timedelta(seconds=_int("JWT_ACCESS_TOKEN_EXPIRES", 3600)),
        "JWT_REFRESH_TOKEN_EXPIRES": datetime.timedelta(
            seconds=_int("JWT_REFRESH_TOKEN_EXPIRES", 30 * 24 * 3600)
        ),
        "DATA_DIR": _path("PRODSIGHT_DATA_DIR", "data"),
        "UPLOAD_DIR": _path("PRODSIGHT_UPLOAD_DIR", "uploads"),
        "MAX_UPLOAD_MB": _int("PRODSIGHT_MAX_UPLOAD_MB", 500),
        "CORS_ORIGINS": [
            origin.strip()
            for origin in os.environ.get("PRODSIGHT_CORS_ORIGINS", DEFAULT_ORIGINS).split(",")
            if origin.strip()
        ],
        "HOST": os.environ.get("HOST", "127.0.0.1"),
        "PORT": _int("PORT", 5000),
        "DATABASE_URL": os.environ.get("PRODSIGHT_DATABASE_URL") or None,  # unset: the JSON files
        # PostgreSQL: how a request knows its cached data is current (README, "Caches across servers")
        "DATABASE_FRESHNESS": os.environ.get("PRODSIGHT_DATABASE_FRESHNESS") or "strict",
        "PRODSIGHT_ENV": os.environ.get("PRODSIGHT_ENV", "development"),
        "DEMO_PASSWORD": os.environ.get("PRODSIGHT_DEMO_PASSWORD") or "prodsight-demo",
    }


SECRETS = ".secrets"  # the store document <data dir>/.secrets.json
KEY_NAMES = ("SECRET_KEY", "JWT_SECRET_KEY")


def settle_secrets(config, store):
    """Fill unset secrets from `<data dir>/.secrets.json`, generating them once through the store
    (locked, atomic, mode 600); then refuse any key shorter than 32 bytes."""
    missing = [name for name in KEY_NAMES if not config.get(name)]
    if missing:
        store.register(SECRETS, dict)
        try:
            kept = store.read(SECRETS)
            if any(name not in kept for name in missing):
                with store.transaction(SECRETS) as transaction:  # several workers may start at once
                    kept = transaction.document(SECRETS)
                    for name in missing:
                        kept.setdefault(name, secrets.token_urlsafe(48))
        except StoreCorruptError as exc:
            raise ConfigError(f"{exc}, or delete it to generate new secrets") from None
        for name in missing:
            if not isinstance(kept[name], str):
                raise ConfigError(f"{store.filename(SECRETS)}: {name} must be a string; fix it or delete the file")
            config[name] = kept[name]
    for name in KEY_NAMES:
        if len(config[name].encode("utf-8")) < MIN_KEY_BYTES:
            raise ConfigError(f"{name} is shorter than {MIN_KEY_BYTES} bytes; set a longer random value")
