"""Deliverables (SPEC §3 Distribution): CRUD and filters, the approval state machine with its
history, submission needing an asset, the asset-deletion guard, and the feature checklist."""
import io

import pytest

from utils import clock

TODAY = "2026-06-15"
MOVES = {"not_submitted": {"pending"}, "pending": {"approved", "rejected"}, "rejected": {"pending"}, "approved": set()}
STATUSES = ("not_submitted", "pending", "approved", "rejected")
# How to bring a new deliverable to each status, one move at a time.
PATHS = {"not_submitted": [], "pending": ["pending"], "approved": ["pending", "approved"],
         "rejected": ["pending", "rejected"]}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def upload(client, auth, name="stereo_mix.txt", username="distribution"):
    answer = client.post("/api/assets/upload", data={"file": (io.BytesIO(b"2.0 printmaster"), name)},
                         content_type="multipart/form-data", headers=auth.headers(username))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["data"]["id"]


def create(client, auth, expect=201, **fields):
    body = {"name": "Stereo mix", "kind": "audio", "dueDate": "2026-07-01", **fields}
    answer = client.post("/api/deliverables", json=body, headers=auth.headers("distribution"))
    assert answer.status_code == expect, answer.get_json()
    return answer.get_json()["data"] if expect == 201 else answer.get_json()


def move(client, auth, deliverable_id, status, username="distribution", **fields):
    return client.put(f"/api/deliverables/{deliverable_id}", json={"approvalStatus": status, **fields},
                      headers=auth.headers(username))


def get(client, auth, deliverable_id):
    return client.get(f"/api/deliverables/{deliverable_id}", headers=auth.headers("pm")).get_json()["data"]


@pytest.fixture
def asset(client, auth, users):
    return upload(client, auth)


# -- CRUD -------------------------------------------------------------------------------------------
def test_create_read_update_delete(client, auth, users):
    created = create(client, auth, spec="48 kHz / 24-bit WAV", notes="From the mix stage")
    assert created == {
        "id": "1", "name": "Stereo mix", "kind": "audio", "spec": "48 kHz / 24-bit WAV", "releaseId": None,
        "dueDate": "2026-07-01", "assetId": None, "approvalStatus": "not_submitted", "submitted": False,
        "overdue": False, "notes": "From the mix stage", "history": [], "createdAt": created["createdAt"],
        "updatedAt": created["updatedAt"], "createdBy": users["distribution"]["id"],
    }
    read = client.get("/api/deliverables/1", headers=auth.headers("producer"))
    assert read.get_json()["data"] == created and read.headers["ETag"] and read.get_json()["message"] == "Deliverable 1"
    updated = client.put("/api/deliverables/1", json={"dueDate": "2026-06-01", "submitted": True, "overdue": False},
                         headers=auth.headers("producer"))  # derived fields echoed back are ignored
    assert updated.status_code == 200 and updated.get_json()["data"]["overdue"] is True
    assert updated.get_json()["data"]["submitted"] is False
    assert client.delete("/api/deliverables/1", headers=auth.headers("producer")).status_code == 200
    assert client.get("/api/deliverables/1", headers=auth.headers("producer")).status_code == 404
    assert create(client, auth)["id"] == "2"


def test_a_new_deliverable_starts_not_submitted(client, auth, asset):
    answer = create(client, auth, expect=400, approvalStatus="approved", assetId=asset)
    assert "approvalStatus" in answer["errors"]
    assert create(client, auth, approvalStatus="not_submitted")["approvalStatus"] == "not_submitted"


@pytest.mark.parametrize("fields, field", [
    ({"releaseId": "9"}, "releaseId"),
    ({"assetId": "9"}, "assetId"),
    ({"kind": "Video"}, "kind"),
    ({"approvalStatus": "done"}, "approvalStatus"),
    ({"dueDate": "soon"}, "dueDate"),
    ({"name": ""}, "name"),
    ({"history": [], "owner": "x"}, "owner"),
])
def test_bad_input_names_the_field_and_writes_nothing(client, auth, users, fields, field):
    assert field in create(client, auth, expect=400, **fields)["errors"]
    assert client.get("/api/deliverables", headers=auth.headers("pm")).get_json()["data"] == []


# -- filters --------------------------------------------------------------------------------------------
@pytest.fixture
def spread(client, auth, asset):
    window = client.post("/api/releases", json={"name": "Theatrical", "territory": "US", "licenseType": "Theatrical",
                                                "startDate": "2026-09-01"}, headers=auth.headers("distribution"))
    assert window.status_code == 201
    create(client, auth, name="Picture master", kind="video", dueDate="2026-06-01", releaseId="1")  # overdue
    create(client, auth, name="Key art", kind="artwork", dueDate="2026-06-14", releaseId="1", assetId=asset)
    create(client, auth, name="Stills", kind="artwork", dueDate="2026-06-15")  # due today: not overdue yet
    create(client, auth, name="Chain of title", kind="legal", dueDate=None)
    for status in ("pending", "approved"):
        assert move(client, auth, "2", status).status_code == 200  # approved: never overdue


@pytest.mark.parametrize("query, names", [
    ("", ["Picture master", "Key art", "Stills", "Chain of title"]),  # by due date, undated last
    ("?releaseId=1", ["Picture master", "Key art"]),
    ("?status=approved", ["Key art"]),
    ("?status=not_submitted", ["Picture master", "Stills", "Chain of title"]),
    ("?due=2026-06-15", ["Picture master", "Key art"]),  # strictly before the date
    ("?due=2026-06-16", ["Picture master", "Key art", "Stills"]),
    ("?overdue=true", ["Picture master"]),
    ("?overdue=false", ["Key art", "Stills", "Chain of title"]),
    ("?kind=artwork", ["Key art", "Stills"]),
    ("?q=title", ["Chain of title"]),
    ("?sort=-name", ["Stills", "Picture master", "Key art", "Chain of title"]),
    ("?releaseId=1&status=not_submitted", ["Picture master"]),
])
def test_filters(client, auth, spread, query, names):
    answer = client.get(f"/api/deliverables{query}", headers=auth.headers("pm"))
    assert answer.status_code == 200, answer.get_json()
    assert [d["name"] for d in answer.get_json()["data"]] == names
    assert answer.headers["X-Total-Count"] == str(len(names))


def test_paging_and_bad_filter_values(client, auth, spread):
    headers = auth.headers("pm")
    paged = client.get("/api/deliverables?page=1&per_page=3", headers=headers).get_json()
    assert paged["meta"] == {"page": 1, "per_page": 3, "total": 4} and len(paged["data"]) == 3
    for query, name in (("status=done", "status"), ("due=2026-02-30", "due"), ("overdue=yes", "overdue"),
                        ("kind=film", "kind")):
        answer = client.get(f"/api/deliverables?{query}", headers=headers)
        assert answer.status_code == 400 and name in answer.get_json()["errors"], query


# -- the approval state machine -----------------------------------------------------------------------------
@pytest.mark.parametrize("start", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_every_move_is_allowed_or_refused_with_the_allowed_moves(client, auth, asset, start, target):
    deliverable = create(client, auth, assetId=asset)
    for step in PATHS[start]:
        assert move(client, auth, deliverable["id"], step).status_code == 200
    before = get(client, auth, deliverable["id"])
    answer = move(client, auth, deliverable["id"], target)
    if target == start:  # sent unchanged (a client echoing the record): no move, no history
        assert answer.status_code == 200 and answer.get_json()["data"]["history"] == before["history"]
    elif target in MOVES[start]:
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["data"]["approvalStatus"] == target
        assert answer.get_json()["data"]["submitted"] is True
    else:
        assert answer.status_code == 409, answer.get_json()
        allowed = ", ".join(sorted(MOVES[start], key=STATUSES.index)) or "none"
        assert answer.get_json()["errors"] == {"approvalStatus": f"from {start} the allowed moves are: {allowed}"}
        assert f"cannot move from {start} to {target}" in answer.get_json()["message"]
        assert get(client, auth, deliverable["id"]) == before


def test_every_move_is_kept_in_history_with_who_when_and_the_note(client, auth, users, asset, monkeypatch):
    deliverable = create(client, auth)
    monkeypatch.setattr(clock, "timestamp", lambda: "2026-06-15T10:00:00Z")
    assert move(client, auth, "1", "pending", assetId=asset, note="First pass").status_code == 200
    monkeypatch.setattr(clock, "timestamp", lambda: "2026-06-16T09:30:00Z")
    assert move(client, auth, "1", "rejected", username="producer", note="Clipping at 01:02:03").status_code == 200
    assert move(client, auth, "1", "pending").status_code == 200
    assert move(client, auth, "1", "approved", username="producer").status_code == 200
    dana, maya = users["distribution"]["id"], users["producer"]["id"]
    assert get(client, auth, deliverable["id"])["history"] == [
        {"at": "2026-06-15T10:00:00Z", "by": dana, "from": "not_submitted", "to": "pending", "note": "First pass"},
        {"at": "2026-06-16T09:30:00Z", "by": maya, "from": "pending", "to": "rejected", "note": "Clipping at 01:02:03"},
        {"at": "2026-06-16T09:30:00Z", "by": dana, "from": "rejected", "to": "pending", "note": None},
        {"at": "2026-06-16T09:30:00Z", "by": maya, "from": "pending", "to": "approved", "note": None},
    ]


def test_a_note_without_a_move_is_a_400(client, auth, asset):
    create(client, auth)
    answer = client.put("/api/deliverables/1", json={"note": "looks fine"}, headers=auth.headers("distribution"))
    assert answer.status_code == 400 and "note" in answer.get_json()["errors"]


def test_submitting_needs_an_existing_asset(client, auth, asset):
    create(client, auth)
    answer = move(client, auth, "1", "pending")
    assert answer.status_code == 400 and answer.get_json()["errors"] == {
        "assetId": "is required to submit: upload the file as an asset and send its id"}
    answer = move(client, auth, "1", "pending", assetId="99")
    assert answer.status_code == 400 and answer.get_json()["errors"] == {"assetId": "no asset with id 99"}
    assert get(client, auth, "1")["approvalStatus"] == "not_submitted" and get(client, auth, "1")["history"] == []
    submitted = move(client, auth, "1", "pending", assetId=asset).get_json()["data"]  # the asset in the body
    assert (submitted["approvalStatus"], submitted["assetId"]) == ("pending", asset)
    create(client, auth, name="5.1 mix", assetId=asset)
    assert move(client, auth, "2", "pending").status_code == 200  # the asset on the record


def test_the_asset_of_a_deliverable_under_review_is_fixed(client, auth, asset):
    other = upload(client, auth, "other_mix.txt")
    create(client, auth, assetId=asset)
    assert move(client, auth, "1", "pending").status_code == 200
    answer = client.put("/api/deliverables/1", json={"assetId": other}, headers=auth.headers("distribution"))
    assert answer.status_code == 409 and "assetId" in answer.get_json()["errors"]
    assert move(client, auth, "1", "rejected").status_code == 200
    resubmitted = move(client, auth, "1", "pending", assetId=other)
    assert resubmitted.status_code == 200 and resubmitted.get_json()["data"]["assetId"] == other


# -- the asset-deletion guard -----------------------------------------------------------------------------
@pytest.mark.parametrize("status, refused", [("pending", True), ("approved", True), ("rejected", False),
                                             ("not_submitted", False)])
def test_an_asset_under_review_or_approved_cannot_be_deleted(client, auth, asset, status, refused):
    create(client, auth, assetId=asset)
    for step in PATHS[status]:
        assert move(client, auth, "1", step).status_code == 200
    answer = client.delete(f"/api/assets/{asset}", headers=auth.headers("producer"))
    if refused:
        assert answer.status_code == 409
        assert answer.get_json()["message"] == (f'Asset {asset} is the file of deliverable 1 "Stereo mix", which is '
                                                f"{status}: it cannot be deleted")
        assert answer.get_json()["errors"] == {"deliverableId": "1"}
        assert client.get(f"/api/assets/{asset}", headers=auth.headers("producer")).status_code == 200
    else:  # the asset goes and the deliverable forgets it
        assert answer.status_code == 200
        assert get(client, auth, "1")["assetId"] is None


# -- the feature checklist --------------------------------------------------------------------------------
FEATURE = [  # (name, kind, days before the window's start) as the README documents them
    ("Picture master", "video", 60), ("Stereo mix", "audio", 60), ("5.1 mix", "audio", 60), ("M&E", "audio", 45),
    ("Dialogue list", "metadata", 45), ("Subtitles", "subtitles", 30), ("Closed captions", "subtitles", 30),
    ("Trailer", "video", 90), ("Key art", "artwork", 90), ("Stills", "artwork", 90),
    ("Music cue sheet", "legal", 45), ("E&O certificate", "legal", 30), ("Chain of title", "legal", 90),
]
# The window starts on 2026-09-01: 31 days back is 2026-08-01, so 60 days before is 2026-07-03,
# 45 days before 2026-07-18, 30 days before 2026-08-02, 90 days before 2026-06-03.
DUE = {60: "2026-07-03", 45: "2026-07-18", 30: "2026-08-02", 90: "2026-06-03"}


def test_the_feature_checklist_is_due_relative_to_the_windows_start(client, auth, users):
    window = {"name": "Theatrical", "territory": "US", "licenseType": "Theatrical", "startDate": "2026-09-01"}
    assert client.post("/api/releases", json=window, headers=auth.headers("producer")).status_code == 201
    answer = client.post("/api/deliverables/checklist", json={"releaseId": "1", "template": "feature"},
                         headers=auth.headers("distribution"))
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["message"] == "Feature checklist created: 13 deliverables"
    created = answer.get_json()["data"]
    assert [(d["name"], d["kind"], d["dueDate"]) for d in created] == [
        (name, kind, DUE[days]) for name, kind, days in FEATURE]
    assert {d["releaseId"] for d in created} == {"1"} and {d["approvalStatus"] for d in created} == {"not_submitted"}
    assert all(d["spec"] for d in created)
    # due 2026-06-03, before today (2026-06-15), and not approved: the four 90-day items are overdue
    assert [d["name"] for d in created if d["overdue"]] == ["Trailer", "Key art", "Stills", "Chain of title"]
    window = client.get("/api/releases/1", headers=auth.headers("pm")).get_json()["data"]
    assert len(window["deliverables"]) == 13


def test_a_checklist_without_a_window_is_undated(client, auth, users):
    answer = client.post("/api/deliverables/checklist", json={"template": "feature"}, headers=auth.headers("producer"))
    assert answer.status_code == 201
    assert {(d["releaseId"], d["dueDate"]) for d in answer.get_json()["data"]} == {(None, None)}


@pytest.mark.parametrize("body, field", [
    ({"releaseId": "7", "template": "feature"}, "releaseId"),
    ({"template": "series"}, "template"),
    ({"releaseId": "1"}, "template"),
    ({"template": "feature", "items": []}, "items"),
])
def test_a_bad_checklist_is_a_400_naming_the_field_and_creates_nothing(client, auth, users, body, field):
    answer = client.post("/api/deliverables/checklist", json=body, headers=auth.headers("distribution"))
    assert answer.status_code == 400 and field in answer.get_json()["errors"]
    if field == "releaseId":
        assert answer.get_json()["errors"]["releaseId"] == "no release window with id 7"
    assert client.get("/api/deliverables", headers=auth.headers("pm")).get_json()["data"] == []
