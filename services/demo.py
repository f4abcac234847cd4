"""The demo production (SPEC §5): one user per role, and each domain's sample data.

Seeded when the app is first served on an empty data directory (once, even with several
workers), or explicitly by `flask --app app seed-demo`.
"""
import logging

from flask import current_app

from services import users as users_service
from utils.store import get_store

log = logging.getLogger("prodsight")

# Files whose presence means the data directory already holds a production.
DOMAIN_FILES = ("users", "tasks", "budget", "script", "vfx", "assets")

DEMO_USERS = (
    ("producer", "Maya Producer", "Producer"),
    ("director", "Daniel Director", "Director"),
    ("pm", "Priya Manager", "Production Manager"),
    ("crew", "Carlos Crew", "Crew"),
    ("vfx", "Vera Effects", "VFX"),
    ("distribution", "Dana Distribution", "Distribution Manager"),
)


class NotEmptyError(RuntimeError):
    pass


def is_empty():
    return not any(get_store().exists(name) for name in DOMAIN_FILES)


def seed_demo():
    """Write the demo production into an empty data directory; refuse a non-empty one."""
    with get_store().lock("seed"):
        if not is_empty():
            raise NotEmptyError("The data directory already holds data; seed-demo only fills an empty one")
        _seed()


def seed_if_empty():
    """Seed on first serve; a no-op when another worker got there first. True if it seeded."""
    with get_store().lock("seed"):
        if not is_empty():
            return False
        _seed()
        return True


def _seed():
    password = current_app.config["DEMO_PASSWORD"]
    for username, name, role in DEMO_USERS:
        users_service.create_user({
            "username": username, "name": name, "role": role,
            "email": f"{username}@prodsight.example", "password": password,
        }, schema=users_service.DEMO_SCHEMA)
    log.info("Seeded the demo production: log in as producer, director, pm, crew, vfx or distribution")
