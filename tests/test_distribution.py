"""Distribution across the app: the calendar, who may do what (SPEC §4), one activity event per
write, the analytics block, check-data, and the demo's windows and checklist."""
import io

import pytest

from utils import clock
from utils.store import get_store

ROLES = ("producer", "director", "pm", "crew", "vfx", "distribution")
READERS = {"producer", "pm", "distribution"}
WRITERS = {"producer", "distribution"}
EVENT_FIELDS = {"id", "at", "actorId", "actor", "action", "entity", "entityId", "summary", "changes"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: "2026-06-15")


def post(client, auth, path, body, username="distribution", expect=201):
    answer = client.post(path, json=body, headers=auth.headers(username))
    assert answer.status_code == expect, answer.get_json()
    return answer.get_json()["data"]


def window(name="Theatrical - US", **fields):
    return {"name": name, "territory": "US", "platform": "Theatrical", "licenseType": "Theatrical",
            "startDate": "2026-09-01", "endDate": "2026-10-31", "exclusivity": True, **fields}


def events(client, auth):
    answer = client.get("/api/activity", headers=auth.headers("producer"))
    assert answer.status_code == 200
    return answer.get_json()["data"]


def upload(client, auth):
    answer = client.post("/api/assets/upload", data={"file": (io.BytesIO(b"mix"), "mix.txt")},
                         content_type="multipart/form-data", headers=auth.headers("distribution"))
    assert answer.status_code == 201
    return answer.get_json()["data"]["id"]


# -- the calendar ---------------------------------------------------------------------------------------
@pytest.fixture
def schedule(client, auth, users):
    post(client, auth, "/api/releases", window(marketingDeadlines=[
        {"name": "Premiere", "date": "2026-08-29"}, {"name": "Trailer launch", "date": "2026-07-01"}]))
    post(client, auth, "/api/releases", window("SVOD - WW", territory="WW", platform="Netflix", licenseType="SVOD",
                                               startDate="2026-10-31", endDate=None))
    post(client, auth, "/api/releases", window("Cancelled PayTV", licenseType="PayTV", status="cancelled",
                                               marketingDeadlines=[{"name": "Never", "date": "2026-07-02"}]))
    post(client, auth, "/api/deliverables", {"name": "Stereo mix", "dueDate": "2026-07-03", "releaseId": "1"})
    post(client, auth, "/api/deliverables", {"name": "Undated", "releaseId": "1"})
    post(client, auth, "/api/deliverables", {"name": "Festival DCP", "dueDate": "2026-07-01"})
    post(client, auth, "/api/deliverables", {"name": "PayTV master", "dueDate": "2026-07-01", "releaseId": "3"})


def calendar(client, auth, query="", username="pm"):
    answer = client.get(f"/api/distribution/calendar{query}", headers=auth.headers(username))
    assert answer.status_code == 200, answer.get_json()
    assert answer.headers["X-Total-Count"] == str(len(answer.get_json()["data"]))
    return [(e["date"], e["type"], e["title"], e["relatedId"]) for e in answer.get_json()["data"]]


def test_the_calendar_lists_everything_by_date(client, auth, schedule):
    # Undated deliverables and everything of a cancelled window are left out; on one date releases
    # come first, then marketing, then deliverables; a window's end on the day another starts too.
    assert calendar(client, auth) == [
        ("2026-07-01", "marketing", "Trailer launch", "1-2"),
        ("2026-07-01", "deliverable", "Due: Festival DCP", "3"),
        ("2026-07-03", "deliverable", "Due: Stereo mix", "1"),
        ("2026-08-29", "marketing", "Premiere", "1-1"),
        ("2026-09-01", "release", "Theatrical - US starts", "1"),
        ("2026-10-31", "release", "SVOD - WW starts", "2"),
        ("2026-10-31", "release", "Theatrical - US ends", "1"),
    ]
    entry = client.get("/api/distribution/calendar", headers=auth.headers("pm")).get_json()["data"][0]
    assert entry == {"id": "marketing-1-2", "date": "2026-07-01", "type": "marketing", "title": "Trailer launch",
                     "relatedId": "1-2", "releaseId": "1"}


@pytest.mark.parametrize("query, dates", [
    ("?from=2026-07-03", ["2026-07-03", "2026-08-29", "2026-09-01", "2026-10-31", "2026-10-31"]),
    ("?to=2026-07-03", ["2026-07-01", "2026-07-01", "2026-07-03"]),
    ("?from=2026-07-02&to=2026-09-01", ["2026-07-03", "2026-08-29", "2026-09-01"]),  # both inclusive
    ("?type=release", ["2026-09-01", "2026-10-31", "2026-10-31"]),
    ("?releaseId=2", ["2026-10-31"]),
])
def test_the_calendar_filters(client, auth, schedule, query, dates):
    assert [entry[0] for entry in calendar(client, auth, query)] == dates


def test_a_bad_calendar_bound_is_a_400(client, auth, users):
    answer = client.get("/api/distribution/calendar?from=2026-07-01T00:00:00Z", headers=auth.headers("pm"))
    assert answer.status_code == 400 and answer.get_json()["errors"] == {"from": "must be a date YYYY-MM-DD"}


# -- who may do what (SPEC §4: read Producer, PM, Distribution Manager; write Producer, DM) -----------------
ENDPOINTS = [  # (method, path, body, needs)
    ("GET", "/api/releases", None, "read"),
    ("GET", "/api/releases/1", None, "read"),
    ("POST", "/api/releases", window("Another", territory="CA"), "write"),
    ("PUT", "/api/releases/1", {"notes": "Updated"}, "write"),
    ("DELETE", "/api/releases/1", None, "write"),
    ("GET", "/api/deliverables", None, "read"),
    ("GET", "/api/deliverables/1", None, "read"),
    ("POST", "/api/deliverables", {"name": "Trailer"}, "write"),
    ("PUT", "/api/deliverables/1", {"approvalStatus": "pending"}, "write"),  # a submission
    ("PUT", "/api/deliverables/2", {"approvalStatus": "approved"}, "write"),  # an approval
    ("DELETE", "/api/deliverables/1", None, "write"),
    ("POST", "/api/deliverables/checklist", {"releaseId": "1", "template": "feature"}, "write"),
    ("GET", "/api/distribution/calendar", None, "read"),
]


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize("method, path, body, needs", ENDPOINTS, ids=[f"{m} {p}" for m, p, _b, _n in ENDPOINTS])
def test_every_role_on_every_endpoint(client, auth, users, username, method, path, body, needs):
    asset = upload(client, auth)
    post(client, auth, "/api/releases", window(), username="producer")
    post(client, auth, "/api/deliverables", {"name": "Stereo mix", "releaseId": "1", "assetId": asset})
    post(client, auth, "/api/deliverables", {"name": "5.1 mix", "releaseId": "1", "assetId": asset})
    assert client.put("/api/deliverables/2", json={"approvalStatus": "pending"},
                      headers=auth.headers("distribution")).status_code == 200
    allowed = username in (READERS if needs == "read" else WRITERS)
    answer = client.open(path, method=method, json=body, headers=auth.headers(username))
    expected = {"GET": 200, "POST": 201, "PUT": 200, "DELETE": 200}[method] if allowed else 403
    assert answer.status_code == expected, answer.get_json()


# -- one event per write ---------------------------------------------------------------------------------
def test_window_events_name_the_window_and_exactly_the_changes(client, auth, users):
    created = post(client, auth, "/api/releases", window(deliverables=[{"name": "DCP"}, {"name": "Key art"}]))
    [made] = events(client, auth)  # the deliverables sent inside are not events of their own
    assert set(made) == EVENT_FIELDS
    assert (made["action"], made["entity"], made["entityId"], made["changes"]) == ("create", "release", "1", {})
    assert (made["actorId"], made["summary"]) == (users["distribution"]["id"],
                                                  'Distribution created release window 1 "Theatrical - US"')
    headers = auth.headers("producer")
    client.put("/api/releases/1", json={**created, "endDate": "2026-11-30", "price": 90000, "currency": "USD"},
               headers=headers)
    updated = events(client, auth)[0]
    assert updated["changes"] == {"endDate": {"from": "2026-10-31", "to": "2026-11-30"},
                                  "price": {"from": None, "to": 90000}, "currency": {"from": None, "to": "USD"}}
    assert updated["summary"] == 'Producer updated release window 1 "Theatrical - US": endDate, price, currency'
    client.put("/api/releases/1", json={"status": "cancelled"}, headers=headers)
    assert events(client, auth)[0]["summary"] == 'Producer cancelled release window 1 "Theatrical - US"'
    assert events(client, auth)[0]["changes"] == {"cancelled": {"from": False, "to": True}}
    client.put("/api/releases/1", json={"status": "scheduled"}, headers=headers)
    assert events(client, auth)[0]["summary"] == 'Producer reinstated release window 1 "Theatrical - US"'
    client.delete("/api/releases/1", headers=headers)
    deleted = events(client, auth)[0]
    assert (deleted["action"], deleted["entityId"], deleted["summary"]) == (
        "delete", "1", 'Producer deleted release window 1 "Theatrical - US"')
    assert len(events(client, auth)) == 5  # unlinking its deliverables was no event


def test_deliverable_events_read_as_approval_moves(client, auth, users):
    asset = upload(client, auth)
    post(client, auth, "/api/deliverables", {"name": "Stereo mix", "kind": "audio"})
    headers = auth.headers("distribution")
    client.put("/api/deliverables/1", json={"approvalStatus": "pending", "assetId": asset, "note": "v1"},
               headers=headers)
    client.put("/api/deliverables/1", json={"approvalStatus": "rejected"}, headers=auth.headers("producer"))
    client.put("/api/deliverables/1", json={"approvalStatus": "pending"}, headers=headers)
    client.put("/api/deliverables/1", json={"approvalStatus": "approved"}, headers=headers)
    approved, resubmitted, rejected, submitted, created = events(client, auth)[:5]
    assert (created["action"], created["entity"], created["entityId"]) == ("create", "deliverable", "1")
    assert created["summary"] == 'Distribution created deliverable 1 "Stereo mix"'
    assert submitted["summary"] == 'Distribution submitted deliverable 1 "Stereo mix"'
    assert submitted["changes"] == {"assetId": {"from": None, "to": asset},
                                    "approvalStatus": {"from": "not_submitted", "to": "pending"},
                                    "history": {"from": None, "to": None}}
    assert rejected["summary"] == 'Producer rejected deliverable 1 "Stereo mix"'
    assert resubmitted["summary"] == 'Distribution resubmitted deliverable 1 "Stereo mix"'
    assert approved["summary"] == 'Distribution approved deliverable 1 "Stereo mix"'
    assert (approved["action"], approved["entityId"]) == ("update", "1")
    client.delete("/api/deliverables/1", headers=headers)
    assert events(client, auth)[0]["summary"] == 'Distribution deleted deliverable 1 "Stereo mix"'


def test_a_checklist_is_one_event(client, auth, users):
    post(client, auth, "/api/releases", window())
    post(client, auth, "/api/deliverables/checklist", {"releaseId": "1", "template": "feature"})
    checklist = events(client, auth)[0]
    assert (checklist["action"], checklist["entity"], checklist["entityId"], checklist["changes"]) == (
        "create", "deliverable", None, {})
    assert checklist["summary"] == ('Distribution created the feature checklist for release window 1 '
                                    '"Theatrical - US": 13 deliverables (1 to 13)')
    assert len(events(client, auth)) == 2


def test_refused_writes_are_no_events(client, auth, users):
    asset = upload(client, auth)
    post(client, auth, "/api/releases", window())
    post(client, auth, "/api/deliverables", {"name": "Stereo mix", "assetId": asset})
    before = len(events(client, auth))
    headers = auth.headers("distribution")
    assert client.post("/api/releases", json=window("Clash"), headers=headers).status_code == 409
    assert client.put("/api/deliverables/1", json={"approvalStatus": "approved"}, headers=headers).status_code == 409
    assert client.put("/api/deliverables/1", json={"approvalStatus": "pending"}, headers=headers).status_code == 200
    assert client.delete(f"/api/assets/{asset}", headers=auth.headers("producer")).status_code == 409
    assert len(events(client, auth)) == before + 1


# -- analytics -------------------------------------------------------------------------------------------
def test_the_analytics_block_follows_as_of(client, auth, users):
    post(client, auth, "/api/releases", window())  # 2026-09-01 .. 2026-10-31
    post(client, auth, "/api/releases", window("Cancelled", licenseType="SVOD", status="cancelled"))
    post(client, auth, "/api/deliverables", {"name": "A", "dueDate": "2026-07-01"})
    post(client, auth, "/api/deliverables", {"name": "B", "dueDate": "2026-08-01"})
    post(client, auth, "/api/deliverables", {"name": "C"})

    def block(as_of):
        answer = client.get(f"/api/analytics/summary?asOf={as_of}", headers=auth.headers("distribution"))
        return answer.get_json()["data"]["distribution"]

    assert block("2026-07-01") == {"releases": 2, "deliverables": 3, "overdueDeliverables": 0,
                                   "byStatus": {"scheduled": 1, "active": 0, "completed": 0, "cancelled": 1}}
    assert block("2026-09-01") == {"releases": 2, "deliverables": 3, "overdueDeliverables": 2,
                                   "byStatus": {"scheduled": 0, "active": 1, "completed": 0, "cancelled": 1}}
    assert block("2026-11-01")["byStatus"] == {"scheduled": 0, "active": 0, "completed": 1, "cancelled": 1}


# -- check-data ------------------------------------------------------------------------------------------
def test_check_data_reports_broken_distribution_records(app, client, auth, runner, users):
    post(client, auth, "/api/releases", window())
    post(client, auth, "/api/deliverables", {"name": "Stereo mix", "releaseId": "1"})
    assert runner.invoke(args=["check-data"]).exit_code == 0
    with app.app_context():
        with get_store().edit("deliverables") as collection:
            collection["items"]["1"].update(releaseId="9", approvalStatus="approved")
        with get_store().edit("releases") as collection:
            collection["items"]["1"]["territory"] = "XX"
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    assert "releases.json record 1: territory must be an ISO 3166-1 alpha-2" in result.output
    assert "deliverables.json record 1: releaseId 9 names no release window" in result.output
    assert "deliverables.json record 1: approved without an asset" in result.output


# -- the demo ----------------------------------------------------------------------------------------------
def test_the_demo_has_a_theatrical_and_an_svod_window_and_a_partly_approved_checklist(client, demo_login, runner):
    headers = demo_login("distribution")
    windows = client.get("/api/releases", headers=headers).get_json()["data"]
    assert [(w["licenseType"], w["territory"], w["status"]) for w in windows] == [
        ("Theatrical", "US", "scheduled"), ("SVOD", "WW", "scheduled")]
    assert all(w["marketingDeadlines"] for w in windows)
    listed = windows[0]["deliverables"]
    assert len(listed) == 13 and windows[1]["deliverables"] == []
    statuses = {d["name"]: d["approvalStatus"] for d in listed}
    assert [name for name, status in statuses.items() if status == "approved"] == ["Key art", "Stills", "Chain of title"]
    assert [name for name, status in statuses.items() if status == "pending"] == ["E&O certificate"]
    assert [d["name"] for d in listed if d["overdue"]] == ["Trailer"]
    stills = next(d for d in listed if d["name"] == "Stills")
    assert [(m["from"], m["to"]) for m in stills["history"]] == [
        ("not_submitted", "pending"), ("pending", "rejected"), ("rejected", "pending"), ("pending", "approved")]
    assert client.get("/api/distribution/calendar", headers=headers).headers["X-Total-Count"] == str(
        2 + 2 + 3 + 2 + 13)  # the two windows' starts and ends, 3 + 2 marketing deadlines, 13 dated items
    assert runner.invoke(args=["check-data"]).exit_code == 0
