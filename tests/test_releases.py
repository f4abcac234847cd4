"""Release windows (SPEC §3 Distribution): CRUD, filters, the exclusive-overlap 409, the status
derived from the dates, marketing deadlines, the frontend's ReleaseWindow body, and bad input."""
import pytest

from utils import clock

TODAY = "2026-06-15"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def window(**fields):
    return {"name": "Theatrical - France", "territory": "FR", "platform": "Theatrical", "licenseType": "Theatrical",
            "startDate": "2026-09-01", "endDate": "2026-11-30", "exclusivity": True, **fields}


def create(client, auth, expect=201, username="distribution", **fields):
    answer = client.post("/api/releases", json=window(**fields), headers=auth.headers(username))
    assert answer.status_code == expect, answer.get_json()
    return answer.get_json()["data"] if expect == 201 else answer.get_json()


def listed(client, auth, query=""):
    answer = client.get(f"/api/releases{query}", headers=auth.headers("pm"))
    assert answer.status_code == 200, answer.get_json()
    assert answer.headers["X-Total-Count"] == str(len(answer.get_json()["data"]))
    return [w["name"] for w in answer.get_json()["data"]]


# -- CRUD -------------------------------------------------------------------------------------------
def test_create_read_update_delete_a_window(client, auth, users):
    created = create(client, auth, price=150000.5, currency="EUR", notes="Day-and-date in Paris")
    assert created == {
        "id": "1", "name": "Theatrical - France", "territory": "FR", "platform": "Theatrical",
        "licenseType": "Theatrical", "startDate": "2026-09-01", "endDate": "2026-11-30", "exclusivity": True,
        "status": "scheduled", "price": 150000.5, "currency": "EUR", "notes": "Day-and-date in Paris",
        "marketingDeadlines": [], "deliverables": [], "createdAt": created["createdAt"],
        "updatedAt": created["updatedAt"], "createdBy": users["distribution"]["id"],
    }
    headers = auth.headers("producer")
    read = client.get("/api/releases/1", headers=headers)
    assert read.status_code == 200 and read.get_json()["data"] == created and read.headers["ETag"]
    assert read.get_json()["message"] == "Release window 1"
    updated = client.put("/api/releases/1", json={"endDate": None, "notes": "Open run"}, headers=headers)
    assert updated.status_code == 200 and updated.get_json()["message"] == "Release window updated"
    assert (updated.get_json()["data"]["endDate"], updated.get_json()["data"]["notes"]) == (None, "Open run")
    assert updated.get_json()["data"]["price"] == 150000.5  # a partial update keeps the rest
    deleted = client.delete("/api/releases/1", headers=headers)
    assert deleted.status_code == 200 and deleted.get_json()["data"]["id"] == "1"
    assert client.get("/api/releases/1", headers=headers).status_code == 404
    assert create(client, auth)["id"] == "2"  # ids are never reused


def test_if_match_guards_updates_and_deletes(client, auth, users):
    create(client, auth)
    headers = auth.headers("distribution")
    etag = client.get("/api/releases/1", headers=headers).headers["ETag"]
    assert client.put("/api/releases/1", json={"notes": "a"}, headers={**headers, "If-Match": etag}).status_code == 200
    stale = client.put("/api/releases/1", json={"notes": "b"}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    assert client.delete("/api/releases/1", headers={**headers, "If-Match": etag}).status_code == 412
    assert client.get("/api/releases/1", headers=headers).get_json()["data"]["notes"] == "a"


def test_unknown_window_is_a_404(client, auth, users):
    headers = auth.headers("producer")
    assert client.get("/api/releases/9", headers=headers).status_code == 404
    assert client.put("/api/releases/9", json={"notes": "x"}, headers=headers).status_code == 404
    assert client.delete("/api/releases/9", headers=headers).status_code == 404


# -- filters ----------------------------------------------------------------------------------------
@pytest.fixture
def three_windows(client, auth, users):
    create(client, auth, name="Past FR", startDate="2026-01-01", endDate="2026-03-31")
    create(client, auth, name="Now US", territory="US", platform="Netflix", licenseType="SVOD",
           startDate="2026-06-01", endDate=None)
    create(client, auth, name="Later WW", territory="WW", platform="Amazon", licenseType="TVOD",
           startDate="2027-01-01", endDate="2027-12-31", exclusivity=False)


@pytest.mark.parametrize("query, names", [
    ("", ["Past FR", "Now US", "Later WW"]),  # by start date
    ("?status=completed", ["Past FR"]),
    ("?status=active", ["Now US"]),
    ("?status=scheduled", ["Later WW"]),
    ("?status=cancelled", []),
    ("?territory=US", ["Now US"]),
    ("?territory=WW", ["Later WW"]),
    ("?platform=netflix", ["Now US"]),  # ignoring case
    ("?licenseType=TVOD", ["Later WW"]),
    ("?from=2026-03-31", ["Past FR", "Now US", "Later WW"]),  # the last day of a window overlaps
    ("?from=2026-04-01", ["Now US", "Later WW"]),
    ("?to=2026-05-31", ["Past FR"]),
    ("?to=2026-06-01", ["Past FR", "Now US"]),  # the first day too
    ("?from=2028-01-01", ["Now US"]),  # open-ended runs forever
    ("?from=2026-04-01&to=2026-12-31", ["Now US"]),
    ("?q=later", ["Later WW"]),
    ("?sort=-name", ["Past FR", "Now US", "Later WW"]),
    ("?sort=territory", ["Past FR", "Now US", "Later WW"]),
])
def test_filters(client, auth, three_windows, query, names):
    assert listed(client, auth, query) == names


def test_paging_and_bad_filter_values(client, auth, three_windows):
    headers = auth.headers("pm")
    paged = client.get("/api/releases?page=2&per_page=2", headers=headers)
    assert paged.get_json()["meta"] == {"page": 2, "per_page": 2, "total": 3}
    assert [w["name"] for w in paged.get_json()["data"]] == ["Later WW"]
    assert paged.headers["X-Total-Count"] == "3"
    for query, name in (("status=live", "status"), ("from=2026-13-01", "from"), ("to=tomorrow", "to"),
                        ("licenseType=SVOD2", "licenseType")):
        answer = client.get(f"/api/releases?{query}", headers=headers)
        assert answer.status_code == 400 and name in answer.get_json()["errors"], query


# -- derived status ---------------------------------------------------------------------------------
@pytest.mark.parametrize("start, end, status", [
    ("2026-06-16", "2026-07-01", "scheduled"),  # starts tomorrow
    ("2026-06-15", "2026-07-01", "active"),  # starts today
    ("2026-01-01", "2026-06-15", "active"),  # ends today
    ("2026-01-01", "2026-06-14", "completed"),  # ended yesterday
    ("2026-01-01", None, "active"),  # open-ended
])
def test_status_follows_the_dates(client, auth, users, start, end, status):
    assert create(client, auth, startDate=start, endDate=end, status="scheduled")["status"] == status


def test_cancelled_stays_cancelled_until_reinstated(client, auth, users, monkeypatch):
    create(client, auth, status="cancelled")
    headers = auth.headers("distribution")
    assert client.get("/api/releases/1", headers=headers).get_json()["data"]["status"] == "cancelled"
    monkeypatch.setattr(clock, "today", lambda: "2026-10-01")  # inside its dates: still cancelled
    assert client.get("/api/releases/1", headers=headers).get_json()["data"]["status"] == "cancelled"
    echoed = client.get("/api/releases/1", headers=headers).get_json()["data"]
    assert client.put("/api/releases/1", json=echoed, headers=headers).get_json()["data"]["status"] == "cancelled"
    reinstated = client.put("/api/releases/1", json={"status": "scheduled"}, headers=headers).get_json()["data"]
    assert reinstated["status"] == "active"  # any other status sent lifts the cancellation; the dates decide


def test_a_new_day_moves_the_status_of_a_cached_list(client, auth, users, monkeypatch):
    create(client, auth, startDate="2026-06-16")
    assert listed(client, auth, "?status=scheduled") == ["Theatrical - France"]
    monkeypatch.setattr(clock, "today", lambda: "2026-06-16")
    assert listed(client, auth, "?status=scheduled") == []
    assert listed(client, auth, "?status=active") == ["Theatrical - France"]


# -- the exclusive-overlap rule ------------------------------------------------------------------------
def test_an_overlapping_exclusive_window_of_the_same_type_and_territory_is_a_409_naming_the_other(client, auth,
                                                                                                   users):
    create(client, auth)
    answer = create(client, auth, expect=409, name="Second run", startDate="2026-11-01", endDate="2027-01-31")
    assert answer["message"] == ('Overlaps exclusive rights: release window 1 "Theatrical - France" '
                                 '(Theatrical, FR, 2026-09-01 to 2026-11-30, exclusive)')
    assert answer["errors"] == {"conflictsWith": "1"}
    assert listed(client, auth) == ["Theatrical - France"]  # nothing written


@pytest.mark.parametrize("fields, status", [
    ({"territory": "DE"}, 201),  # another territory
    ({"licenseType": "SVOD"}, 201),  # another licence type
    ({"startDate": "2026-12-01", "endDate": "2027-02-28"}, 201),  # the day after it ends
    ({"startDate": "2026-11-30", "endDate": "2027-02-28"}, 409),  # touching: both ends inclusive
    ({"startDate": "2026-03-01", "endDate": "2026-09-01"}, 409),  # ends on its first day
    ({"startDate": "2026-03-01", "endDate": "2026-08-31"}, 201),  # ends the day before
    ({"territory": "WW"}, 409),  # worldwide covers France
    ({"exclusivity": False}, 409),  # a non-exclusive window still meets an exclusive one
    ({"startDate": "2025-01-01", "endDate": None}, 409),  # open-ended runs forever
    ({"status": "cancelled"}, 201),  # cancelled never conflicts
])
def test_the_overlap_rule_against_an_exclusive_window(client, auth, users, fields, status):
    create(client, auth)
    create(client, auth, expect=status, name="Other", **fields)


def test_non_exclusive_windows_may_overlap_each_other(client, auth, users):
    create(client, auth, exclusivity=False)
    create(client, auth, exclusivity=False, name="Other", territory="WW")
    # ... but an exclusive one cannot join them, in either of their territories
    create(client, auth, expect=409, name="Exclusive", territory="FR")


def test_an_update_into_an_overlap_is_a_409_and_reinstating_a_cancelled_window_is_checked(client, auth, users):
    create(client, auth)
    create(client, auth, name="Germany", territory="DE")
    headers = auth.headers("distribution")
    moved = client.put("/api/releases/2", json={"territory": "FR"}, headers=headers)
    assert moved.status_code == 409 and moved.get_json()["errors"] == {"conflictsWith": "1"}
    assert client.get("/api/releases/2", headers=headers).get_json()["data"]["territory"] == "DE"
    assert client.put("/api/releases/2", json={"status": "cancelled", "territory": "FR"}, headers=headers).status_code == 200
    assert client.put("/api/releases/2", json={"status": "scheduled"}, headers=headers).status_code == 409
    assert client.put("/api/releases/1", json={"endDate": "2026-11-30"}, headers=headers).status_code == 200  # itself


def test_an_open_ended_window_conflicts_with_a_later_one(client, auth, users):
    create(client, auth, endDate=None)
    create(client, auth, expect=409, name="Ten years on", startDate="2036-01-01", endDate="2036-12-31")


# -- marketing deadlines ------------------------------------------------------------------------------
def test_marketing_deadlines_get_their_own_ids_kept_on_update_and_never_reused(client, auth, users):
    created = create(client, auth, marketingDeadlines=[
        {"name": "Trailer", "date": "2026-07-01", "responsible": "Marketing"},
        {"id": "m9", "name": "Premiere", "date": "2026-08-28T18:00:00.000Z", "completed": False}])
    assert created["marketingDeadlines"] == [
        {"id": "1-1", "name": "Trailer", "date": "2026-07-01", "completed": False, "responsible": "Marketing"},
        {"id": "1-2", "name": "Premiere", "date": "2026-08-28", "completed": False, "responsible": ""}]
    headers = auth.headers("distribution")
    sent = [{**created["marketingDeadlines"][0], "completed": True}, {"name": "Junket", "date": "2026-08-20"}]
    updated = client.put("/api/releases/1", json={"marketingDeadlines": sent}, headers=headers).get_json()["data"]
    assert updated["marketingDeadlines"] == [
        {"id": "1-1", "name": "Trailer", "date": "2026-07-01", "completed": True, "responsible": "Marketing"},
        {"id": "1-3", "name": "Junket", "date": "2026-08-20", "completed": False, "responsible": ""}]


# -- the frontend's ReleaseWindow, as its release screen sends it -----------------------------------
def test_the_frontends_release_window_body_is_accepted(client, auth, users):
    body = {
        "id": "", "name": "SVOD Release - Netflix", "startDate": "2027-02-15T00:00:00.000Z",
        "endDate": "2029-02-15T00:00:00.000Z", "platform": "Netflix", "territory": "Worldwide", "status": "scheduled",
        "exclusivity": False,
        "marketingDeadlines": [{"id": "m7", "name": "Digital Trailer", "date": "2027-01-15", "completed": False,
                                "responsible": "Digital Marketing"}],
        "deliverables": [
            {"id": "d7", "name": "Netflix Master", "dueDate": "2027-01-10", "submitted": False,
             "approvalStatus": "not_submitted"},
            {"id": "d8", "name": "Metadata Package", "dueDate": "2026-12-20T23:30:00.000-02:00", "submitted": False,
             "approvalStatus": "not_submitted"}],
        "notes": "Non-exclusive streaming rights.",
    }
    answer = client.post("/api/releases", json=body, headers={**auth.headers("distribution"),
                                                              "Content-Type": "application/json"})
    assert answer.status_code == 201, answer.get_json()
    created = answer.get_json()["data"]
    assert (created["territory"], created["licenseType"], created["startDate"], created["endDate"]) == (
        "WW", "SVOD", "2027-02-15", "2029-02-15")  # Netflix only sells subscriptions
    assert created["marketingDeadlines"][0]["id"] == "1-1"
    assert [(d["id"], d["name"], d["releaseId"], d["dueDate"], d["approvalStatus"], d["submitted"])
            for d in created["deliverables"]] == [
        ("1", "Netflix Master", "1", "2027-01-10", "not_submitted", False),
        ("2", "Metadata Package", "1", "2026-12-21", "not_submitted", False)]  # 23:30 at -02:00 is the 21st UTC
    listed_deliverables = client.get("/api/deliverables?releaseId=1", headers=auth.headers("pm")).get_json()["data"]
    assert [d["name"] for d in listed_deliverables] == ["Metadata Package", "Netflix Master"]  # by due date

    # The screen sends the window back as it read it, with one deliverable added.
    echoed = {**created, "deliverables": [*created["deliverables"], {"id": "tmp", "name": "All Subtitles",
                                                                     "dueDate": "2026-12-15", "submitted": False,
                                                                     "approvalStatus": "not_submitted"}]}
    again = client.put("/api/releases/1", json=echoed, headers=auth.headers("distribution"))
    assert again.status_code == 200, again.get_json()
    assert [d["name"] for d in again.get_json()["data"]["deliverables"]] == [
        "Netflix Master", "Metadata Package", "All Subtitles"]


def test_a_window_echo_may_not_change_a_deliverable_or_create_one_already_submitted(client, auth, users):
    created = create(client, auth, deliverables=[{"name": "DCP", "dueDate": "2026-08-01"}])
    headers = auth.headers("distribution")
    changed = [{**created["deliverables"][0], "name": "Renamed"}]
    answer = client.put("/api/releases/1", json={"deliverables": changed}, headers=headers)
    assert answer.status_code == 400
    assert answer.get_json()["errors"] == {"deliverables[0].name": "differs from deliverable 1: change it with PUT "
                                                                   "/api/deliverables/1"}
    approved = [{"name": "Key art", "approvalStatus": "approved"}]
    answer = client.put("/api/releases/1", json={"deliverables": approved, "notes": "x"}, headers=headers)
    assert answer.status_code == 400 and "deliverables[0].approvalStatus" in answer.get_json()["errors"]
    window = client.get("/api/releases/1", headers=headers).get_json()["data"]
    assert (window["notes"], len(window["deliverables"])) == ("", 1)  # nothing written


def test_licence_type_is_needed_when_the_platform_does_not_say(client, auth, users):
    body = window(platform="Cinema Paradiso Ltd")
    del body["licenseType"]
    answer = client.post("/api/releases", json=body, headers=auth.headers("distribution"))
    assert answer.status_code == 400 and "licenseType" in answer.get_json()["errors"]
    assert create(client, auth, platform="Pay TV", licenseType="PayTV")["licenseType"] == "PayTV"


# -- bad input ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fields, field", [
    ({"territory": "XX"}, "territory"),  # not an assigned code
    ({"territory": "fr"}, "territory"),  # codes are capitals
    ({"territory": "United States, Canada"}, "territory"),
    ({"endDate": "2026-08-31"}, "endDate"),  # ends before it starts
    ({"price": 10.005, "currency": "USD"}, "price"),  # more than two decimals
    ({"price": "10.00", "currency": "USD"}, "price"),
    ({"price": -1, "currency": "USD"}, "price"),
    ({"price": 100}, "currency"),  # a price needs its currency
    ({"currency": "usd"}, "currency"),
    ({"licenseType": "Cinema"}, "licenseType"),
    ({"status": "live"}, "status"),
    ({"exclusivity": "yes"}, "exclusivity"),
    ({"startDate": "2026-09-01T10:00:00"}, "startDate"),  # a timestamp needs Z or an offset
    ({"marketingDeadlines": [{"name": "Trailer"}]}, "marketingDeadlines"),
    ({"marketingDeadlines": "soon"}, "marketingDeadlines"),
    ({"deliverables": [{"name": "DCP", "assetId": "99"}]}, "deliverables[0].assetId"),
    ({"deliverables": [{"dueDate": "2026-08-01"}]}, "deliverables[0].name"),
    ({"territories": ["FR"]}, "territories"),  # unknown field
])
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(client, auth, users, fields, field):
    answer = create(client, auth, expect=400, **fields)
    assert field in answer["errors"], answer
    assert listed(client, auth) == []
    assert client.get("/api/deliverables", headers=auth.headers("pm")).get_json()["data"] == []


def test_an_update_ending_before_the_stored_start_names_the_field_sent(client, auth, users):
    create(client, auth)
    headers = auth.headers("distribution")
    answer = client.put("/api/releases/1", json={"startDate": "2026-12-01"}, headers=headers)
    assert answer.status_code == 400 and answer.get_json()["errors"] == {
        "startDate": "the window cannot end (2026-11-30) before it starts (2026-12-01)"}


def test_deleting_a_window_keeps_its_deliverables_without_a_release(client, auth, users):
    create(client, auth, deliverables=[{"name": "DCP", "dueDate": "2026-08-01"}])
    headers = auth.headers("distribution")
    assert client.delete("/api/releases/1", headers=headers).status_code == 200
    assert client.get("/api/deliverables/1", headers=headers).get_json()["data"]["releaseId"] is None
