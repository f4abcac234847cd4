"""Time in one place, so tests can move it: UTC timestamps ending in Z, UTC dates."""
import datetime
import time


def now():
    """Seconds since the epoch."""
    return time.time()


def utcnow():
    return datetime.datetime.fromtimestamp(now(), tz=datetime.timezone.utc)


def timestamp():
    """The current instant as ISO 8601 UTC, e.g. ``2026-11-25T17:04:28Z``."""
    return utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


def today():
    """Today's UTC date as ``YYYY-MM-DD``."""
    return utcnow().date().isoformat()
