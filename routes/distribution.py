"""Distribution (SPEC §3): release windows, deliverables and the distribution calendar."""
from flask import Blueprint, g, request

from services import deliverables as deliverables_service
from services import distribution as distribution_service
from utils import clock
from utils.auth import requires
from utils.requests import json_body
from utils.responses import cached, count, ok, ok_list, ok_resource
from services import demo, releases
from services.openapi import distribution as api
from utils.domains import Domain, Entity

bp = Blueprint("distribution", __name__)

DEPENDS = distribution_service.DEPENDS


def _today():
    """Cached answers hold statuses and overdue flags derived from today: a new day, a new entry."""
    return f"as of {clock.today()}"


# -- release windows ------------------------------------------------------------------------------
@bp.get("/releases")
@requires("distribution:read")
def list_releases():
    return cached(lambda: ok_list(distribution_service.list_windows(request.args), "release window"), DEPENDS,
                  _today())


@bp.get("/releases/<release_id>")
@requires("distribution:read")
def get_release(release_id):
    return cached(lambda: ok_resource(distribution_service.get_window(release_id), f"Release window {release_id}"),
                  DEPENDS, _today())


@bp.post("/releases")
@requires("distribution:write")
def create_release():
    return ok_resource(distribution_service.create_window(json_body(), g.user), "Release window created", status=201)


@bp.put("/releases/<release_id>")
@requires("distribution:write")
def update_release(release_id):
    window = distribution_service.update_window(release_id, json_body(), g.user, request.headers.get("If-Match"))
    return ok_resource(window, "Release window updated")


@bp.delete("/releases/<release_id>")
@requires("distribution:write")
def delete_release(release_id):
    return ok_resource(distribution_service.delete_window(release_id, request.headers.get("If-Match")),
                       "Release window deleted")


# -- deliverables -----------------------------------------------------------------------------------
@bp.get("/deliverables")
@requires("distribution:read")
def list_deliverables():
    return cached(lambda: ok_list(deliverables_service.list_deliverables(request.args), "deliverable"), DEPENDS,
                  _today())


@bp.get("/deliverables/<deliverable_id>")
@requires("distribution:read")
def get_deliverable(deliverable_id):
    return cached(lambda: ok_resource(deliverables_service.get_deliverable(deliverable_id),
                                      f"Deliverable {deliverable_id}"), DEPENDS, _today())


@bp.post("/deliverables")
@requires("distribution:write")
def create_deliverable():
    return ok_resource(deliverables_service.create_deliverable(json_body(), g.user), "Deliverable created",
                       status=201)


@bp.post("/deliverables/checklist")
@requires("distribution:write")
def create_checklist():
    created = deliverables_service.create_checklist(json_body(), g.user)
    return ok(created, f"Feature checklist created: {count(len(created), 'deliverable')}", status=201,
              headers={"X-Total-Count": str(len(created))})


@bp.put("/deliverables/<deliverable_id>")
@requires("distribution:write")  # approval moves included
def update_deliverable(deliverable_id):
    deliverable = deliverables_service.update_deliverable(deliverable_id, json_body(), g.user,
                                                          request.headers.get("If-Match"))
    return ok_resource(deliverable, "Deliverable updated")


@bp.delete("/deliverables/<deliverable_id>")
@requires("distribution:write")
def delete_deliverable(deliverable_id):
    return ok_resource(deliverables_service.delete_deliverable(deliverable_id, request.headers.get("If-Match")),
                       "Deliverable deleted")


# -- the calendar ---------------------------------------------------------------------------------------
@bp.get("/distribution/calendar")
@requires("distribution:read")
def calendar():
    return cached(lambda: ok_list(distribution_service.calendar(request.args), "calendar entry", "calendar entries"),
                  DEPENDS, _today())


domain = Domain(bp, collections=(releases.RELEASES, deliverables_service.DELIVERABLES),
                schemas={releases.RELEASES: releases.STORED_SCHEMA,
                         deliverables_service.DELIVERABLES: deliverables_service.STORED_SCHEMA},
                checks=(deliverables_service.check_data,), seed=demo.seed_distribution,
                entities=(Entity("release", "release window", phrase=releases.phrase),
                          Entity("deliverable", "deliverable", phrase=deliverables_service.phrase)),
                operations=api.OPERATIONS, components=api.SCHEMAS, setup=deliverables_service.watch_assets)
