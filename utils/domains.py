"""A domain wired in one place (issue 18).

Each blueprint module in ``routes/`` ends with one ``Domain`` declaration: its blueprint, the names
it keeps in the store, the checks ``check-data`` runs for it, its part of the demo production, the
entities its writes log, and its OpenAPI operations. ``create_app`` hands the list of domains to
``init_app`` once; every part of the app that needs to know "all the domains" (the store, check-data,
the demo seed, the activity log, the OpenAPI document) reads that list from here, so adding a domain
is one module and one entry in that list.
"""
from dataclasses import dataclass, field
from typing import Callable, Mapping

from flask import current_app

from utils.store import get_store

EXTENSION = "prodsight.domains"


@dataclass(frozen=True)
class Entity:
    """What the activity log calls a kind of record, and how a summary names it."""

    name: str  # the event's `entity` ("vfx_shot")
    noun: str  # how summaries name it ("VFX shot"; "the script" for one without an id)
    moved_by_status: bool = False  # an update of its status alone reads "moved task 4 to done"
    labelled: bool = True  # its title or name follows its id ('task 4 "Book the crane"')
    # (action, subject, before, after, changes) -> the sentence after the actor's name, or None
    # for the usual one ("approved deliverable 7", "raised Camera from 1.00 to 2.00")
    phrase: Callable | None = None


@dataclass(frozen=True)
class Domain:
    blueprint: object  # a flask.Blueprint, served under /api
    collections: tuple = ()  # record collections it keeps (ids, insert, scan)
    documents: Mapping[str, Callable] = field(default_factory=dict)  # document name -> its default value
    # names the store keeps for the domain's own housekeeping (revision index, login attempts):
    # unlike collections and documents, their presence does not mean a production exists
    internal: Mapping[str, Callable] = field(default_factory=dict)
    schemas: Mapping[str, dict] = field(default_factory=dict)  # collection -> stored record's schema
    checks: tuple = ()  # () -> [problem, ...]: check-data's questions beyond the schemas
    seed: Callable | None = None  # (demo) -> None: the domain's part of the demo production
    entities: tuple = ()  # Entity, for the activity log
    operations: Mapping[str, object] = field(default_factory=dict)  # endpoint -> services.openapi Op
    components: Mapping[str, dict] = field(default_factory=dict)  # OpenAPI component schemas
    setup: Callable | None = None  # (app) -> None: hooks it places on other domains

    @property
    def name(self):
        return self.blueprint.name


def init_app(app, domains):
    """Register every domain's names with the store, its blueprint, and its hooks, in list order."""
    store = get_store()
    for domain in domains:
        for name in domain.collections:
            store.register(name)
        for name, default in {**domain.documents, **domain.internal}.items():
            store.register(name, default)
    app.extensions[EXTENSION] = tuple(domains)
    for domain in domains:
        app.register_blueprint(domain.blueprint, url_prefix="/api" + (domain.blueprint.url_prefix or ""))
        if domain.setup:
            domain.setup(app)


def registered(app=None):
    return (app or current_app).extensions[EXTENSION]


def production_names():
    """The names whose presence means the data holds a production (the demo seeds only without)."""
    return [name for domain in registered() for name in (*domain.collections, *domain.documents)]


def entities():
    """{entity name: Entity} of every domain, in declaration order."""
    return {entity.name: entity for domain in registered() for entity in domain.entities}
