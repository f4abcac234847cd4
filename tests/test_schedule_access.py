"""Who may read and write the schedule (SPEC §4), and the one activity event of each write (SPEC §3 Activity)."""
import pytest

ROLES = ("producer", "director", "pm", "crew", "vfx", "distribution")
WRITERS = {"producer", "director", "pm"}
READS = ("/api/schedule", "/api/schedule/cast", "/api/schedule/dood", "/api/schedule/dood?format=csv",
         "/api/schedule/callsheet/1", "/api/schedule/callsheet/1?format=pdf", "/api/schedule/stripboard?format=pdf")


@pytest.fixture
def scene_ids(client, auth):
    headers = auth.headers("producer")
    ids = [client.post("/api/script/scenes", json={"characters": characters}, headers=headers).get_json()["data"]["id"]
           for characters in (["MARA"], ["MARA", "OLSEN"], ["OLSEN"])]
    client.put("/api/schedule", json={"days": [{"sceneIds": [ids[0]]}]}, headers=headers)
    return ids


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", READS)
def test_every_role_reads_the_schedule(client, auth, scene_ids, role, url):
    assert client.get(url, headers=auth.headers(role)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, body", [
    ("put", "/api/schedule", {"pagesPerDay": 4}),
    ("put", "/api/schedule/cast/MARA", {"actor": "Ines Marlow"}),
])
def test_only_producer_director_and_production_manager_write_it(client, auth, scene_ids, role, method, url, body):
    response = getattr(client, method)(url, json=body, headers=auth.headers(role))
    assert response.status_code == (200 if role in WRITERS else 403), response.get_json()


@pytest.mark.parametrize("url", READS)
def test_without_a_token_it_is_a_401(client, url):
    assert client.get(url).status_code == 401


def events(client, auth):
    return client.get("/api/activity", headers=auth.headers("producer")).get_json()["data"]


def test_moving_one_scene_is_one_event_saying_so(client, auth, scene_ids):
    before = len(events(client, auth))
    days = [{"sceneIds": [scene_ids[0]]}, {"sceneIds": []}, {"sceneIds": [scene_ids[1]]}]
    assert client.put("/api/schedule", json={"days": days}, headers=auth.headers("pm")).status_code == 200
    log = events(client, auth)
    assert len(log) == before + 1
    event = log[0]
    assert {key: event[key] for key in ("actor", "action", "entity", "entityId", "summary", "changes")} == {
        "actor": "Pm", "action": "update", "entity": "schedule", "entityId": None,
        "summary": "Pm moved scene 2 to day 3; made the schedule 3 shooting days",
        "changes": {"days": {"from": None, "to": None}}}
    assert event["actorId"] == auth.tokens("pm")["user"]["id"]


def test_settings_and_a_scene_back_to_the_boneyard_are_named(client, auth, scene_ids):
    headers = auth.headers("director")
    client.put("/api/schedule", json={"startDate": "2026-12-07", "dropDays": 3, "days": []}, headers=headers)
    event = events(client, auth)[0]
    assert event["summary"] == "Director moved scene 1 to the boneyard; made the schedule 0 shooting days; set startDate, dropDays"
    assert event["changes"] == {"startDate": {"from": None, "to": "2026-12-07"}, "dropDays": {"from": 10, "to": 3},
                                "days": {"from": None, "to": None}}


def test_a_cast_change_is_one_event_with_its_fields(client, auth, scene_ids):
    before = len(events(client, auth))
    body = {"actor": "Ines Marlow", "dailyRate": 1500, "unavailable": ["2026-12-24"]}
    assert client.put("/api/schedule/cast/mara", json=body, headers=auth.headers("producer")).status_code == 200
    log = events(client, auth)
    assert len(log) == before + 1
    event = log[0]
    assert {key: event[key] for key in ("actor", "action", "entity", "entityId", "summary", "changes")} == {
        "actor": "Producer", "action": "update", "entity": "cast_member", "entityId": "MARA",
        "summary": "Producer updated cast member 1 MARA: actor, dailyRate, unavailable",
        "changes": {"actor": {"from": "", "to": "Ines Marlow"}, "dailyRate": {"from": 0, "to": 1500},
                    "unavailable": {"from": [], "to": ["2026-12-24"]}}}


def test_a_refused_write_is_no_event(client, auth, scene_ids):
    before = len(events(client, auth))
    headers = auth.headers("producer")
    assert client.put("/api/schedule", json={"days": [{"sceneIds": ["99"]}]}, headers=headers).status_code == 400
    assert client.put("/api/schedule/cast/NOBODY", json={"actor": "X"}, headers=headers).status_code == 404
    assert client.put("/api/schedule", json={}, headers=auth.headers("crew")).status_code == 403
    assert len(events(client, auth)) == before


def test_the_activity_log_filters_by_the_new_entities(client, auth, scene_ids):
    client.put("/api/schedule/cast/OLSEN", json={"actor": "Henrik Dahl"}, headers=auth.headers("producer"))
    response = client.get("/api/activity?entity=cast_member", headers=auth.headers("producer"))
    assert response.status_code == 200 and [e["entityId"] for e in response.get_json()["data"]] == ["OLSEN"]
    assert client.get("/api/activity?entity=schedule", headers=auth.headers("producer")).status_code == 200
