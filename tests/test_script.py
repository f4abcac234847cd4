"""Script scenes (SPEC §3 Script, §4 script row): field rules, legacy aliases, totals, delete."""
import pytest

from utils.store import get_store

ROLES = ("producer", "director", "pm", "crew", "vfx", "distribution")
WRITERS = {"producer", "director"}
LEGACY = {"number": "scene_number", "description": "scene_description", "timeOfDay": "day_night",
          "estimatedDuration": "estimated_runtime_minutes", "vfx": "vfx_required", "status": "scene_status"}


@pytest.fixture
def make_scene(client, auth):
    def make(**fields):
        response = client.post("/api/script/scenes", json=fields, headers=auth.headers("director"))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["data"]

    return make


def test_create_fills_defaults_mirrors_legacy_names_and_ignores_server_fields(client, auth):
    response = client.post("/api/script/scenes", headers=auth.headers("producer"),
                           json={"title": "INT. KITCHEN - NIGHT", "id": "99", "createdAt": "x"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["message"] == "Scene 1 created"
    scene = body["data"]
    assert scene["id"] == "1" and scene["scene_number"] == 1
    assert (scene["int_ext"], scene["day_night"], scene["scene_complexity"], scene["scene_status"]) == (
        "INT", "DAY", "Medium", "Not Shot")
    assert scene["vfx_required"] is False and scene["estimated_runtime_minutes"] == 0
    assert scene["characters"] == [] and scene["sound_requirements"] == []
    assert (scene["number"], scene["description"], scene["timeOfDay"], scene["estimatedDuration"],
            scene["vfx"], scene["status"]) == (1, "", "DAY", 0, False, "Not Shot")
    assert "createdAt" not in scene and response.headers["ETag"]


def test_scene_number_defaults_to_the_next_after_the_highest(make_scene):
    make_scene(scene_number=7)
    assert make_scene()["scene_number"] == 8


def test_every_field_round_trips(client, auth, make_scene):
    fields = {
        "scene_number": 12, "title": "EXT. ROOF - DUSK", "int_ext": "INT/EXT", "day_night": "CONTINUOUS",
        "location": "ROOF", "estimated_runtime_minutes": 2.5, "scene_description": "A chase.",
        "characters": ["MARA"], "extras": ["Pigeons"], "props": ["Box"], "wardrobe": ["Coat"],
        "makeup_hair": ["Rain"], "vehicles_animals_fx": ["Helicopter"], "set_dressing": ["Antennas"],
        "special_equipment": ["Crane"], "stunts_vfx": ["Wire jump"], "sound_requirements": ["Wind"],
        "mood_tone": "Tense", "scene_complexity": "High", "vfx_required": True, "vfx_details": "Wires",
        "scene_status": "In Review", "notes": "Night shoot",
    }
    scene = make_scene(**fields)
    got = client.get(f"/api/script/scene/{scene['id']}", headers=auth.headers("crew"))
    assert got.status_code == 200 and got.get_json()["message"] == "Scene 12"
    assert {name: got.get_json()["data"][name] for name in fields} == fields


@pytest.mark.parametrize("body, field, message", [
    ({"scene_number": 0}, "scene_number", "must be at least 1"),
    ({"scene_number": 1.5}, "scene_number", "must be an integer"),
    ({"scene_number": "3"}, "scene_number", "must be an integer"),
    ({"int_ext": "int"}, "int_ext", "must be one of: INT, EXT, INT/EXT"),
    ({"day_night": "Night"}, "day_night", "must be one of: DAY, NIGHT, DAWN, DUSK, MORNING, EVENING, CONTINUOUS"),
    ({"scene_complexity": "HIGH"}, "scene_complexity", "must be one of: Low, Medium, High"),
    ({"scene_status": "shot"}, "scene_status", "must be one of: Not Shot, In Progress, Completed, In Review, Approved"),
    ({"estimated_runtime_minutes": -1}, "estimated_runtime_minutes", "must be at least 0"),
    ({"estimated_runtime_minutes": "5"}, "estimated_runtime_minutes", "must be a number"),
    ({"vfx_required": "yes"}, "vfx_required", "must be true or false"),
    ({"characters": "MARA"}, "characters", "must be a list of at most 500 strings"),
    ({"props": ["ok", 3]}, "props", "every item must be a string"),
    ({"title": 5}, "title", "must be a string"),
    ({"title": "x" * 501}, "title", "must be at most 500 characters"),
    ({"scene_number": None}, "scene_number", "must not be null"),
    ({"shootDay": 3}, "shootDay", "unknown field"),
    ({"timeOfDay": "night"}, "timeOfDay", "must be one of: DAY, NIGHT, DAWN, DUSK, MORNING, EVENING, CONTINUOUS"),
    ({"status": "Done"}, "status", "must be one of: Not Shot, In Progress, Completed, In Review, Approved"),
])
def test_invalid_scene_is_400_naming_the_field_and_adds_nothing(client, auth, body, field, message):
    response = client.post("/api/script/scenes", json=body, headers=auth.headers("producer"))
    assert response.status_code == 400
    assert response.get_json()["errors"][field] == message
    assert client.get("/api/script", headers=auth.headers("producer")).get_json()["data"]["version"] == "1"


@pytest.mark.parametrize("body", [None, "[]", "not json"])
def test_scene_body_must_be_a_json_object(client, auth, body):
    headers = {**auth.headers("producer"), "Content-Type": "application/json"}
    response = client.post("/api/script/scenes", data=body, headers=headers)
    assert response.status_code == 400 and response.get_json()["success"] is False


def test_duplicate_scene_number_is_409_on_create_and_update(client, auth, make_scene):
    make_scene(scene_number=1)
    other = make_scene(scene_number=2)
    headers = auth.headers("producer")
    created = client.post("/api/script/scenes", json={"scene_number": 1}, headers=headers)
    assert created.status_code == 409 and created.get_json()["errors"] == {"scene_number": "already exists"}
    moved = client.put(f"/api/script/scene/{other['id']}", json={"number": 1}, headers=headers)
    assert moved.status_code == 409
    kept = client.put(f"/api/script/scene/{other['id']}", json={"scene_number": 2}, headers=headers)
    assert kept.status_code == 200


@pytest.mark.parametrize("legacy, value", [
    ("number", 5), ("description", "Rain."), ("timeOfDay", "DUSK"), ("estimatedDuration", 3),
    ("vfx", True), ("status", "Completed"),
])
def test_legacy_name_is_an_alias_on_input_and_a_mirror_on_output(app, client, auth, legacy, value):
    created = client.post("/api/script/scenes", json={legacy: value}, headers=auth.headers("producer"))
    assert created.status_code == 201, created.get_json()
    scene = created.get_json()["data"]
    assert scene[LEGACY[legacy]] == value and scene[legacy] == value
    with app.app_context():
        stored = get_store().read("script")["scenes"][0]
    assert stored[LEGACY[legacy]] == value and legacy not in stored


def test_legacy_alias_updates_the_canonical_field(client, auth, make_scene):
    scene = make_scene(scene_status="Not Shot")
    response = client.put(f"/api/script/scene/{scene['id']}", json={"status": "Approved"}, headers=auth.headers("director"))
    assert response.status_code == 200
    assert (response.get_json()["data"]["scene_status"], response.get_json()["data"]["status"]) == ("Approved", "Approved")


def test_both_names_with_equal_values_are_accepted(client, auth, make_scene):
    scene = make_scene()
    echoed = {**scene, "day_night": "NIGHT", "timeOfDay": "NIGHT", "scene_number": 4, "number": 4}
    response = client.put(f"/api/script/scene/{scene['id']}", json=echoed, headers=auth.headers("producer"))
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["data"]["day_night"], response.get_json()["data"]["scene_number"]) == ("NIGHT", 4)


def test_both_names_with_different_values_are_a_400_naming_the_legacy_name(client, auth, make_scene):
    scene = make_scene(day_night="DAY")
    response = client.put(f"/api/script/scene/{scene['id']}", json={"day_night": "NIGHT", "timeOfDay": "DAWN",
                                                                    "vfx_required": True, "vfx": False},
                          headers=auth.headers("producer"))
    assert response.status_code == 400
    message = "disagrees with {}: send one of them, or the same value in both"
    assert response.get_json()["errors"] == {"timeOfDay": message.format("day_night"),
                                             "vfx": message.format("vfx_required")}
    assert client.get(f"/api/script/scene/{scene['id']}", headers=auth.headers("producer")).get_json()["data"][
        "day_night"] == "DAY"


def test_scene_echoed_back_with_everything_is_accepted_and_makes_no_revision(client, auth, make_scene):
    scene = make_scene(title="INT. A - DAY")
    response = client.put(f"/api/script/scene/{scene['id']}", json=scene, headers=auth.headers("producer"))
    assert response.status_code == 200 and response.get_json()["data"] == scene
    assert client.get("/api/script", headers=auth.headers("producer")).get_json()["data"]["version"] == "2"


def test_script_totals_are_derived(client, auth, make_scene):
    make_scene(location="HARBOUR", estimated_runtime_minutes=2.5, vfx_required=True, characters=["MARA", "OLSEN"])
    make_scene(location="ROOF", estimated_runtime_minutes=1.25, characters=["COURIER", "MARA"])
    make_scene(location="HARBOUR", estimated_runtime_minutes=0.5, vfx=True)
    make_scene(location="", estimated_runtime_minutes=0)
    response = client.get("/api/script", headers=auth.headers("crew"))
    script = response.get_json()["data"]
    assert response.get_json()["message"] == "Script version 5 (Green)"
    assert script["totalScenes"] == 4
    assert script["totalEstimatedDuration"] == 4.25  # 2.5 + 1.25 + 0.5 + 0
    assert script["vfxScenes"] == 2
    assert script["locations"] == ["HARBOUR", "ROOF"]
    assert script["characters"] == ["COURIER", "MARA", "OLSEN"]
    assert [s["scene_number"] for s in script["scenes"]] == [1, 2, 3, 4]


def test_totals_echoed_back_in_put_script_are_ignored(client, auth, make_scene):
    make_scene(estimated_runtime_minutes=3)
    script = client.get("/api/script", headers=auth.headers("producer")).get_json()["data"]
    forged = {**script, "title": "The Harbour Line", "totalScenes": 40, "totalEstimatedDuration": 999,
              "vfxScenes": 9, "locations": ["X"], "characters": ["Y"], "version": "77", "revisionColor": "Cherry"}
    response = client.put("/api/script", json=forged, headers=auth.headers("producer"))
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert (data["title"], data["totalScenes"], data["totalEstimatedDuration"], data["vfxScenes"]) == (
        "The Harbour Line", 1, 3, 0)
    assert (data["version"], data["revisionColor"], data["locations"]) == ("3", "Pink", [])


def test_put_script_replaces_scenes_keeping_sent_ids(client, auth, make_scene):
    first = make_scene(title="ONE")
    make_scene(title="TWO")
    body = {"scenes": [{**first, "title": "ONE, REWRITTEN"}, {"title": "THREE", "scene_number": 3}]}
    response = client.put("/api/script", json=body, headers=auth.headers("director"))
    assert response.status_code == 200, response.get_json()
    scenes = response.get_json()["data"]["scenes"]
    assert [(s["id"], s["title"], s["scene_number"]) for s in scenes] == [("1", "ONE, REWRITTEN", 1), ("3", "THREE", 3)]
    latest = client.get("/api/script/versions", headers=auth.headers("director")).get_json()["data"][0]
    assert latest["summary"] == "Script updated: scenes (1 added, 1 removed, 1 changed)"


@pytest.mark.parametrize("scenes, field", [
    ("all", "scenes"),
    ([3], "scenes[0]"),
    ([{"id": "42"}], "scenes[0].id"),
    ([{}, {"day_night": "noon"}], "scenes[1].day_night"),
])
def test_put_script_rejects_a_bad_scene_list_naming_the_item(client, auth, scenes, field):
    response = client.put("/api/script", json={"scenes": scenes}, headers=auth.headers("producer"))
    assert response.status_code == 400 and field in response.get_json()["errors"]


def test_put_script_with_a_scene_number_twice_is_409(client, auth):
    response = client.put("/api/script", json={"scenes": [{"scene_number": 2}, {"scene_number": 2}]},
                          headers=auth.headers("producer"))
    assert response.status_code == 409


def test_update_scene_applies_only_sent_fields_and_answers_the_scene(client, auth, make_scene):
    scene = make_scene(title="INT. A - DAY", location="A", props=["Cup"])
    response = client.put(f"/api/script/scene/{scene['id']}", json={"location": "B"}, headers=auth.headers("director"))
    assert response.status_code == 200 and response.get_json()["message"] == "Scene 1 updated"
    data = response.get_json()["data"]
    assert (data["location"], data["title"], data["props"]) == ("B", "INT. A - DAY", ["Cup"])


def test_stale_if_match_is_412_and_current_one_works(client, auth, make_scene):
    scene = make_scene()
    headers = auth.headers("producer")
    etag = client.get(f"/api/script/scene/{scene['id']}", headers=headers).headers["ETag"]
    client.put(f"/api/script/scene/{scene['id']}", json={"notes": "changed"}, headers=headers)
    stale = client.put(f"/api/script/scene/{scene['id']}", json={"notes": "mine"}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    fresh = client.get(f"/api/script/scene/{scene['id']}", headers=headers).headers["ETag"]
    ok = client.delete(f"/api/script/scene/{scene['id']}", headers={**headers, "If-Match": fresh})
    assert ok.status_code == 200
    script_etag = client.get("/api/script", headers=headers).headers["ETag"]
    make_scene()
    assert client.put("/api/script", json={"title": "T"}, headers={**headers, "If-Match": script_etag}).status_code == 412


def test_unknown_scene_is_404(client, auth):
    headers = auth.headers("producer")
    assert client.get("/api/script/scene/9", headers=headers).status_code == 404
    assert client.put("/api/script/scene/9", json={}, headers=headers).status_code == 404
    response = client.delete("/api/script/scene/9", headers=headers)
    assert response.status_code == 404 and response.get_json()["message"] == "Scene 9 not found"


def test_scene_ids_are_never_reused_after_a_delete(client, auth, make_scene):
    make_scene()
    last = make_scene()
    client.delete(f"/api/script/scene/{last['id']}", headers=auth.headers("producer"))
    assert make_scene()["id"] == "3"


def test_deleting_a_scene_unlinks_the_shots_that_pointed_at_it(client, auth, make_scene):
    doomed, kept = make_scene(), make_scene()
    headers = auth.headers("producer")
    shot = client.post("/api/vfx", json={"shotName": "SH010", "sceneId": doomed["id"]}, headers=headers).get_json()["data"]
    other = client.post("/api/vfx", json={"shotName": "SH020", "sceneId": kept["id"]}, headers=headers).get_json()["data"]
    deleted = client.delete(f"/api/script/scene/{doomed['id']}", headers=headers)
    assert deleted.status_code == 200 and deleted.get_json()["message"] == "Scene 1 deleted"
    assert deleted.get_json()["data"]["id"] == doomed["id"]
    after = client.get(f"/api/vfx/{shot['id']}", headers=headers).get_json()["data"]
    assert after["sceneId"] is None
    assert client.get(f"/api/vfx/{other['id']}", headers=headers).get_json()["data"]["sceneId"] == kept["id"]
    assert client.put(f"/api/vfx/{shot['id']}", json={"status": "done"}, headers=headers).status_code == 200
    listed = client.get(f"/api/vfx?sceneId={doomed['id']}", headers=headers)
    assert listed.get_json()["data"] == []
    refused = client.post("/api/vfx", json={"shotName": "SH030", "sceneId": doomed["id"]}, headers=headers)
    assert refused.status_code == 400 and refused.get_json()["errors"]["sceneId"] == "no scene with id 1 in the script"


def test_shots_accept_an_existing_scene(client, auth, make_scene):
    scene = make_scene()
    response = client.post("/api/vfx", json={"shotName": "SH1", "sceneId": scene["id"]}, headers=auth.headers("vfx"))
    assert response.status_code == 201 and response.get_json()["data"]["sceneId"] == scene["id"]


def test_scene_list_is_in_scene_number_order_with_filters(client, auth, make_scene):
    make_scene(scene_number=3, day_night="NIGHT", location="ROOF", scene_status="Completed")
    make_scene(scene_number=1, day_night="DAY", location="HARBOUR")
    make_scene(scene_number=2, day_night="NIGHT", location="HARBOUR", characters=["MARA"])
    headers = auth.headers("distribution")
    listed = client.get("/api/script/scenes", headers=headers)
    assert listed.status_code == 200 and listed.get_json()["message"] == "3 scenes"
    assert listed.headers["X-Total-Count"] == "3"
    assert [s["scene_number"] for s in listed.get_json()["data"]] == [1, 2, 3]
    night = client.get("/api/script/scenes?day_night=NIGHT&sort=-scene_number", headers=headers).get_json()["data"]
    assert [s["scene_number"] for s in night] == [3, 2]
    done = client.get("/api/script/scenes?status=Completed", headers=headers).get_json()["data"]
    assert [s["scene_number"] for s in done] == [3]
    assert [s["scene_number"] for s in client.get("/api/script/scenes?q=mara", headers=headers).get_json()["data"]] == [2]
    assert client.get("/api/script/scenes?day_night=night", headers=headers).status_code == 400
    paged = client.get("/api/script/scenes?page=2&per_page=2", headers=headers).get_json()
    assert [s["scene_number"] for s in paged["data"]] == [3] and paged["meta"] == {"page": 2, "per_page": 2, "total": 3}


def test_scene_writes_record_one_activity_event_each(app, client, auth, make_scene, monkeypatch):
    from utils import activity
    events = []
    monkeypatch.setattr(activity, "record", lambda *args, **kw: events.append((args, kw)))
    scene = make_scene()
    client.put(f"/api/script/scene/{scene['id']}", json={"location": "X"}, headers=auth.headers("producer"))
    client.delete(f"/api/script/scene/{scene['id']}", headers=auth.headers("producer"))
    client.put("/api/script", json={"title": "T"}, headers=auth.headers("producer"))
    assert [args[:3] for args, _ in events] == [("create", "scene", "1"), ("update", "scene", "1"),
                                                ("delete", "scene", "1"), ("update", "script", None)]
    assert events[1][1]["before"]["location"] == "" and events[1][1]["after"]["location"] == "X"


def test_check_data_reports_a_broken_scene_and_a_shot_of_a_missing_scene(app, runner, client, auth, make_scene):
    make_scene()
    client.post("/api/vfx", json={"shotName": "SH1", "sceneId": "1"}, headers=auth.headers("producer"))
    assert runner.invoke(args=["check-data"]).exit_code == 0
    with app.app_context():
        with get_store().edit("script") as script:
            script["scenes"][0]["day_night"] = "noon"
            script["scenes"].append({"id": "9", "scene_number": 2})
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    assert "script.json scene 1: day_night must be one of" in result.output
    assert "script.json scene '9': id missing, repeated or not below seq (1)" in result.output
    assert "vfx.json record 1: sceneId 1 names no scene" not in result.output
    with app.app_context():
        with get_store().edit("script") as script:
            script["scenes"] = []
    assert "vfx.json record 1: sceneId 1 names no scene" in runner.invoke(args=["check-data"]).output


def test_demo_script_has_scenes_text_and_shots_pointing_at_them(app, client, runner, demo_login):
    headers = demo_login("director")
    script = client.get("/api/script", headers=headers).get_json()["data"]
    assert 8 <= script["totalScenes"] <= 10 and script["title"] == "The Harbour Line"
    assert script["vfxScenes"] == 5 and "MARA" in script["characters"]
    text = client.get("/api/script/text", headers=headers).get_json()["data"]
    assert text["content"].startswith("Title: The Harbour Line") and text["pages"] == 2
    login = client.post("/api/auth/login", json={"username": "vfx", "password": app.config["DEMO_PASSWORD"]})
    shots = client.get("/api/vfx", headers={"Authorization": "Bearer " + login.get_json()["data"]["access_token"]})
    scene_ids = {s["id"] for s in script["scenes"] if s["vfx_required"]}
    assert {shot["sceneId"] for shot in shots.get_json()["data"]} == scene_ids
    assert runner.invoke(args=["check-data"]).exit_code == 0


# -- SPEC §4 script row: every role x endpoint -----------------------------------------------------
ENDPOINTS = [
    ("get", "/api/script", None, False),
    ("put", "/api/script", {"title": "T"}, True),
    ("get", "/api/script/scenes", None, False),
    ("post", "/api/script/scenes", {"title": "NEW"}, True),
    ("get", "/api/script/scene/1", None, False),
    ("put", "/api/script/scene/1", {"notes": "n"}, True),
    ("delete", "/api/script/scene/1", None, True),
    ("get", "/api/script/versions", None, False),
    ("get", "/api/script/versions/1", None, False),
    ("post", "/api/script/versions/1/restore", None, True),
    ("get", "/api/script/text", None, False),
    ("put", "/api/script/text", {"content": "INT. A - DAY"}, True),
    ("post", "/api/script/breakdown", {"text": "INT. A - DAY\n"}, True),
    ("post", "/api/script/breakdown?apply=true", {"text": "INT. A - DAY\n"}, True),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, body, write", ENDPOINTS)
def test_script_row_every_role_reads_producer_and_director_write(client, auth, make_scene, role, method, url, body,
                                                                  write):
    make_scene()
    response = getattr(client, method)(url, json=body, headers=auth.headers(role))
    if write and role not in WRITERS:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["message"].startswith("Your role")
    else:
        assert response.status_code in (200, 201), response.get_json()
        assert response.get_json()["success"] is True and response.get_json()["message"]


@pytest.mark.parametrize("method, url", [(m, u) for m, u, _, _ in ENDPOINTS])
def test_script_endpoints_need_a_token(client, method, url):
    assert getattr(client, method)(url).status_code == 401
