"""Configuration from the environment and `.env` (SPEC §6), read through small typed helpers."""
import datetime
import json
import os
import secrets

from dotenv import load_dotenv

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
        "PRODSIGHT_ENV": os.environ.get("PRODSIGHT_ENV", "development"),
        "DEMO_PASSWORD": os.environ.get("PRODSIGHT_DEMO_PASSWORD") or "prodsight-demo",
    }


def settle_secrets(config, store):
    """Fill unset secrets from `<data dir>/.secrets.json`, generating it once (mode 600); then
    refuse any key shorter than 32 bytes."""
    missing = [name for name in ("SECRET_KEY", "JWT_SECRET_KEY") if not config.get(name)]
    if missing:
        path = os.path.join(store.data_dir, ".secrets.json")
        with store.lock("secrets"):  # several workers may start at once: generate exactly once
            kept = _read_secrets(path)
            if any(name not in kept for name in missing):
                for name in missing:
                    kept.setdefault(name, secrets.token_urlsafe(48))
                _write_private(path, kept)
        for name in missing:
            config[name] = kept[name]
    for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
        if len(config[name].encode("utf-8")) < MIN_KEY_BYTES:
            raise ConfigError(f"{name} is shorter than {MIN_KEY_BYTES} bytes; set a longer random value")


def _read_secrets(path):
    try:
        with open(path, encoding="utf-8") as handle:
            kept = json.load(handle)
    except FileNotFoundError:
        return {}
    except ValueError:
        raise ConfigError(f"{path} is not valid JSON; fix it or delete it to generate new secrets") from None
    if not isinstance(kept, dict) or not all(isinstance(value, str) for value in kept.values()):
        raise ConfigError(f"{path} must hold a JSON object of strings; fix it or delete it to generate new secrets")
    return kept


def _write_private(path, content):
    temp = path + ".new"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(content, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temp, 0o600)
    os.replace(temp, path)
