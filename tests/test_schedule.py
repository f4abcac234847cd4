"""The schedule (SPEC §3 Schedule): cast list, stripboard, dates, colours, the boneyard, If-Match."""
import pytest

from utils.store import get_store


def add_scene(client, headers, characters=(), minutes=1, **fields):
    body = {"characters": list(characters), "estimated_runtime_minutes": minutes, **fields}
    response = client.post("/api/script/scenes", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def put_board(client, headers, body, status=200, **extra):
    response = client.put("/api/schedule", json=body, headers={**headers, **extra})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def cast_list(client, headers):
    response = client.get("/api/schedule/cast", headers=headers)
    assert response.status_code == 200
    return response.get_json()["data"]


@pytest.fixture
def producer(auth):
    return auth.headers("producer")


# -- cast list ------------------------------------------------------------------------------------
def test_cast_ids_go_by_number_of_scenes_then_first_appearance(client, producer):
    add_scene(client, producer, ["BOB", "ann"])
    add_scene(client, producer, ["ANN", "Carl"])
    add_scene(client, producer, ["carl", "Ann"])
    add_scene(client, producer, ["DORA"])
    cast = cast_list(client, producer)
    # ANN in 3 scenes, CARL in 2; BOB and DORA in 1 each, BOB first; spelled as first written
    assert [(m["castId"], m["character"], m["scenes"]) for m in cast] == [
        (1, "ann", 3), (2, "Carl", 2), (3, "BOB", 1), (4, "DORA", 1)]
    assert cast[0] == {"castId": 1, "character": "ann", "actor": "", "userId": None, "dailyRate": 0,
                       "unavailable": [], "scenes": 3}


def test_an_explicit_cast_id_is_kept_and_the_others_take_the_lowest_free_numbers(client, producer):
    add_scene(client, producer, ["ANN", "BOB"])
    add_scene(client, producer, ["ANN", "CARL"])
    response = client.put("/api/schedule/cast/bob", json={"castId": 1}, headers=producer)
    assert response.status_code == 200 and response.get_json()["data"]["castId"] == 1
    assert [(m["castId"], m["character"]) for m in cast_list(client, producer)] == [(1, "BOB"), (2, "ANN"), (3, "CARL")]
    taken = client.put("/api/schedule/cast/CARL", json={"castId": 1}, headers=producer)
    assert taken.status_code == 409 and "castId" in taken.get_json()["errors"]
    back = client.put("/api/schedule/cast/BOB", json={"castId": None}, headers=producer)
    assert back.status_code == 200
    assert [(m["castId"], m["character"]) for m in cast_list(client, producer)] == [(1, "ANN"), (2, "BOB"), (3, "CARL")]


def test_a_character_that_leaves_the_script_and_comes_back_keeps_its_settings(client, producer):
    scene = add_scene(client, producer, ["MARA", "OLSEN"])
    settings = {"actor": "Ines Marlow", "dailyRate": 1250.5, "unavailable": ["2026-12-24", "2026-12-10", "2026-12-24"]}
    updated = client.put("/api/schedule/cast/Olsen", json=settings, headers=producer).get_json()["data"]
    assert updated == {"castId": 2, "character": "OLSEN", "actor": "Ines Marlow", "userId": None, "dailyRate": 1250.5,
                       "unavailable": ["2026-12-10", "2026-12-24"], "scenes": 1}
    client.put(f"/api/script/scene/{scene['id']}", json={"characters": ["MARA"]}, headers=producer)
    assert [m["character"] for m in cast_list(client, producer)] == ["MARA"]
    assert client.put("/api/schedule/cast/OLSEN", json={"actor": "X"}, headers=producer).status_code == 404
    client.put(f"/api/script/scene/{scene['id']}", json={"characters": ["MARA", "olsen"]}, headers=producer)
    returned = cast_list(client, producer)[1]
    assert (returned["actor"], returned["dailyRate"], returned["unavailable"]) == (
        "Ines Marlow", 1250.5, ["2026-12-10", "2026-12-24"])


@pytest.mark.parametrize("body, field", [
    ({"dailyRate": 10.123}, "dailyRate"), ({"dailyRate": "12"}, "dailyRate"), ({"dailyRate": -1}, "dailyRate"),
    ({"userId": "999"}, "userId"), ({"unavailable": ["2026-02-30"]}, "unavailable"), ({"castId": 0}, "castId"),
    ({"actor": 5}, "actor"), ({"agent": "Kim"}, "agent"),
])
def test_bad_cast_settings_are_400s_naming_the_field(client, producer, body, field):
    add_scene(client, producer, ["MARA"])
    response = client.put("/api/schedule/cast/MARA", json=body, headers=producer)
    assert response.status_code == 400 and field in response.get_json()["errors"]
    assert cast_list(client, producer)[0]["dailyRate"] == 0  # nothing written


def test_a_cast_member_links_an_existing_user_and_echoed_fields_are_ignored(client, producer, users):
    add_scene(client, producer, ["MARA"])
    member = cast_list(client, producer)[0]
    body = {**member, "userId": users["crew"]["id"], "dailyRate": 99.99}
    response = client.put("/api/schedule/cast/MARA", json=body, headers=producer)
    assert response.status_code == 200
    assert response.get_json()["data"]["userId"] == users["crew"]["id"]
    assert client.put("/api/schedule/cast/NOBODY", json={}, headers=producer).status_code == 404


def test_a_cast_member_update_honours_if_match(client, producer):
    add_scene(client, producer, ["MARA"])
    first = client.put("/api/schedule/cast/MARA", json={"actor": "A"}, headers=producer)
    stale = {"If-Match": first.headers["ETag"]}
    assert client.put("/api/schedule/cast/MARA", json={"actor": "B"}, headers={**producer, **stale}).status_code == 200
    assert client.put("/api/schedule/cast/MARA", json={"actor": "C"}, headers={**producer, **stale}).status_code == 412


# -- dates ------------------------------------------------------------------------------------------
def test_dates_skip_days_off_and_holidays(client, producer):
    scenes = [add_scene(client, producer) for _ in range(4)]
    days = [{"sceneIds": [scene["id"]]} for scene in scenes]
    # Friday 4 December; Sunday 6 is off by default, Tuesday 8 a holiday
    board = put_board(client, producer, {"startDate": "2026-12-04", "holidays": ["2026-12-08"], "days": days})["data"]
    assert board["daysOff"] == ["Sunday"] and board["dropDays"] == 10 and board["pagesPerDay"] == 5
    assert [day["date"] for day in board["days"]] == ["2026-12-04", "2026-12-05", "2026-12-07", "2026-12-09"]
    board = put_board(client, producer, {"daysOff": ["Sunday", "Saturday"]})["data"]
    assert board["daysOff"] == ["Saturday", "Sunday"]  # week order
    assert [day["date"] for day in board["days"]] == ["2026-12-04", "2026-12-07", "2026-12-09", "2026-12-10"]
    assert [day["day"] for day in board["days"]] == [1, 2, 3, 4]


def test_a_start_date_that_is_a_day_off_starts_on_the_next_working_date(client, producer):
    scene = add_scene(client, producer)
    board = put_board(client, producer, {"startDate": "2026-12-06", "days": [{"sceneIds": [scene["id"]]}]})["data"]
    assert board["days"][0]["date"] == "2026-12-07"


def test_days_that_would_run_past_the_calendar_are_a_400_and_nothing_is_saved(client, producer):
    response = client.put("/api/schedule", headers=producer,
                          json={"startDate": "9999-12-30", "days": [{"sceneIds": []}] * 3})
    assert response.status_code == 400 and "startDate" in response.get_json()["errors"]
    board = put_board(client, producer, {"startDate": "9999-12-30", "days": [{"sceneIds": []}] * 2})["data"]
    assert [day["date"] for day in board["days"]] == ["9999-12-30", "9999-12-31"]  # a Thursday and a Friday
    assert client.put("/api/schedule", json={"days": [{"sceneIds": []}] * 3}, headers=producer).status_code == 400
    assert len(client.get("/api/schedule", headers=producer).get_json()["data"]["days"]) == 2


def test_without_a_start_date_days_have_no_date(client, producer):
    scene = add_scene(client, producer)
    board = put_board(client, producer, {"days": [{"sceneIds": [scene["id"]]}, {"sceneIds": []}]})["data"]
    assert [day["date"] for day in board["days"]] == [None, None]
    assert board["days"][0]["callTime"] == "07:00" and board["days"][0]["note"] == ""


@pytest.mark.parametrize("body, field", [
    ({"daysOff": ["sunday"]}, "daysOff"),
    ({"daysOff": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]}, "daysOff"),
    ({"startDate": "2026-13-01"}, "startDate"), ({"holidays": "2026-12-25"}, "holidays"),
    ({"pagesPerDay": 0}, "pagesPerDay"), ({"dropDays": 1.5}, "dropDays"), ({"days": {}}, "days"),
    ({"days": [{"callTime": "07:00"}]}, "days[0].sceneIds"), ({"days": [{"sceneIds": [], "callTime": "7am"}]},
                                                             "days[0].callTime"),
    ({"days": ["1"]}, "days[0]"), ({"crew": 3}, "crew"),
])
def test_bad_schedule_settings_are_400s_naming_the_field(client, producer, body, field):
    response = client.put("/api/schedule", json=body, headers=producer)
    assert response.status_code == 400 and field in response.get_json()["errors"], response.get_json()


# -- strips --------------------------------------------------------------------------------------
COLOURS = {
    ("INT", "DAY"): "white", ("INT", "MORNING"): "white", ("INT", "CONTINUOUS"): "white",
    ("INT", "NIGHT"): "blue", ("INT", "DAWN"): "blue", ("INT", "DUSK"): "blue", ("INT", "EVENING"): "blue",
    ("EXT", "DAY"): "yellow", ("EXT", "MORNING"): "yellow", ("EXT", "CONTINUOUS"): "yellow",
    ("EXT", "NIGHT"): "green", ("EXT", "DAWN"): "green", ("EXT", "DUSK"): "green", ("EXT", "EVENING"): "green",
    ("INT/EXT", "DAY"): "yellow", ("INT/EXT", "MORNING"): "yellow", ("INT/EXT", "CONTINUOUS"): "yellow",
    ("INT/EXT", "NIGHT"): "green", ("INT/EXT", "DAWN"): "green", ("INT/EXT", "DUSK"): "green",
    ("INT/EXT", "EVENING"): "green",
}


def test_strip_colours_for_every_int_ext_and_time_of_day(client, producer):
    for int_ext, day_night in COLOURS:
        add_scene(client, producer, int_ext=int_ext, day_night=day_night)
    boneyard = client.get("/api/schedule", headers=producer).get_json()["data"]["boneyard"]
    assert len(boneyard) == 21
    assert {(s["int_ext"], s["day_night"]): s["color"] for s in boneyard} == COLOURS


def test_pages_are_eighths_and_text_and_a_day_over_capacity_is_marked(client, producer):
    short = add_scene(client, producer, ["MARA"], minutes=0.875, location="QUAY", title="EXT. QUAY - DAY",
                      int_ext="EXT")
    long = add_scene(client, producer, ["OLSEN", "MARA"], minutes=2.375)
    three = add_scene(client, producer, minutes=3)
    empty = add_scene(client, producer, minutes=0)
    board = put_board(client, producer, {"days": [{"sceneIds": [short["id"], long["id"]]},
                                                  {"sceneIds": [three["id"], empty["id"]]}]})["data"]
    first, second = board["days"]
    assert first["strips"][0] == {"sceneId": short["id"], "scene_number": 1, "int_ext": "EXT", "day_night": "DAY",
                                  "location": "QUAY", "page_eighths": 7, "pages": "7/8", "castIds": [1],
                                  "title": "EXT. QUAY - DAY", "color": "yellow"}
    assert (first["strips"][1]["page_eighths"], first["strips"][1]["pages"], first["strips"][1]["castIds"]) == (
        19, "2 3/8", [1, 2])
    assert (first["eighths"], first["pages"], first["overCapacity"]) == (26, "3 2/8", False)
    assert (second["eighths"], second["pages"]) == (25, "3 1/8")  # 3 pages and the 1/8 a scene takes at least
    assert board["totals"] == {"days": 2, "scheduledEighths": 51, "scheduledPages": "6 3/8", "boneyardEighths": 0,
                               "boneyardPages": "0", "castCost": 0}
    board = put_board(client, producer, {"pagesPerDay": 3.125})["data"]  # 25 eighths
    assert [day["overCapacity"] for day in board["days"]] == [True, False]


def test_a_scenes_own_page_eighths_wins_over_its_runtime(app, client, producer):
    scene = add_scene(client, producer, minutes=4)
    with app.app_context():  # the screenplay's page count, as the breakdown stores it
        with get_store().edit("script") as script:
            script["scenes"][0]["page_eighths"] = 11
    strip = client.get("/api/schedule", headers=producer).get_json()["data"]["boneyard"][0]
    assert (strip["sceneId"], strip["page_eighths"], strip["pages"]) == (scene["id"], 11, "1 3/8")


# -- the board follows the script ---------------------------------------------------------------------
def test_the_boneyard_follows_the_script(client, producer):
    first, second, third = (add_scene(client, producer, location=f"SET {n}") for n in (1, 2, 3))
    board = put_board(client, producer, {"days": [{"sceneIds": [first["id"], third["id"]]}]})["data"]
    assert [s["sceneId"] for s in board["boneyard"]] == [second["id"]]
    added = add_scene(client, producer)
    board = client.get("/api/schedule", headers=producer).get_json()["data"]
    assert [s["sceneId"] for s in board["boneyard"]] == [second["id"], added["id"]]
    client.delete(f"/api/script/scene/{first['id']}", headers=producer)
    client.put(f"/api/script/scene/{third['id']}", json={"scene_number": 42, "location": "DRY DOCK"}, headers=producer)
    board = client.get("/api/schedule", headers=producer).get_json()["data"]
    assert [(s["sceneId"], s["scene_number"], s["location"]) for s in board["days"][0]["strips"]] == [
        (third["id"], 42, "DRY DOCK")]
    assert [s["sceneId"] for s in board["boneyard"]] == [second["id"], added["id"]]
    assert board["totals"]["days"] == 1


def test_repeated_and_unknown_scene_ids_are_400s_naming_them(client, producer):
    one, two = add_scene(client, producer), add_scene(client, producer)
    put_board(client, producer, {"days": [{"sceneIds": [one["id"]]}]})
    before = client.get("/api/schedule", headers=producer).get_json()["data"]
    response = client.put("/api/schedule", headers=producer, json={"startDate": "2026-12-01", "days": [
        {"sceneIds": [one["id"], two["id"]]}, {"sceneIds": [two["id"], "99"]}]})
    body = response.get_json()
    assert response.status_code == 400
    assert body["errors"] == {"days[1].sceneIds": f"no scene with id 99 in the script; scene id {two['id']} "
                                                  "(already on day 1) placed twice: a scene is shot on one day"}
    assert "99" in body["message"] and two["id"] in body["message"]
    twice = client.put("/api/schedule", headers=producer, json={"days": [{"sceneIds": [one["id"], one["id"]]}]})
    assert twice.status_code == 400 and one["id"] in twice.get_json()["errors"]["days[0].sceneIds"]
    assert client.get("/api/schedule", headers=producer).get_json()["data"] == before  # no partial write


def test_if_match_on_the_whole_schedule(client, producer):
    scene = add_scene(client, producer)
    read = client.get("/api/schedule", headers=producer)
    etag = read.headers["ETag"]
    changed = client.put("/api/schedule", json={"days": [{"sceneIds": [scene["id"]]}]},
                         headers={**producer, "If-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert client.get("/api/schedule", headers=producer).headers["ETag"] == changed.headers["ETag"]
    stale = client.put("/api/schedule", json={"days": []}, headers={**producer, "If-Match": etag})
    assert stale.status_code == 412
    assert len(client.get("/api/schedule", headers=producer).get_json()["data"]["days"]) == 1
    # a script change moves the ETag too: the board shows it
    client.put(f"/api/script/scene/{scene['id']}", json={"location": "PIER"}, headers=producer)
    moved = client.put("/api/schedule", json={"days": []}, headers={**producer, "If-Match": changed.headers["ETag"]})
    assert moved.status_code == 412


def test_an_echoed_board_is_accepted(client, producer):
    scene = add_scene(client, producer)
    board = put_board(client, producer, {"days": [{"sceneIds": [scene["id"]], "note": "Quay"}]})["data"]
    echoed = {**board, "days": [{**day, "sceneIds": [s["sceneId"] for s in day["strips"]]} for day in board["days"]]}
    assert put_board(client, producer, echoed)["data"] == board


# -- check-data ------------------------------------------------------------------------------------
def test_check_data_names_a_broken_schedule_and_cast(app, client, producer, runner):
    add_scene(client, producer, ["MARA"])
    assert runner.invoke(args=["check-data"]).exit_code == 0
    with app.app_context():
        with get_store().edit("schedule") as schedule:
            schedule["days"] = [{"sceneIds": ["1", "1"]}, {"sceneIds": "x"}]
            schedule["dropDays"] = -3
        with get_store().edit("cast") as cast:
            cast["members"]["mara"] = {"dailyRate": 1.234}
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1
    for problem in ("schedule.json settings: dropDays", "schedule.json day 1: a scene id is placed twice",
                    "schedule.json day 2: sceneIds", "cast.json character 'mara': dailyRate"):
        assert problem in result.output, result.output


def test_a_cast_member_working_on_an_unavailable_date_is_flagged_on_the_day(client, producer):
    one, two = add_scene(client, producer, ["MARA", "OLSEN"]), add_scene(client, producer, ["MARA"])
    client.put("/api/schedule/cast/OLSEN", json={"unavailable": ["2026-12-07"]}, headers=producer)
    board = put_board(client, producer, {"startDate": "2026-12-07", "days": [{"sceneIds": [one["id"]]},
                                                                             {"sceneIds": [two["id"]]}]})["data"]
    assert [day["unavailableCast"] for day in board["days"]] == [[2], []]


def test_the_cast_list_follows_the_list_conventions(client, producer):
    add_scene(client, producer, ["MARA", "OLSEN", "REYES"])
    client.put("/api/schedule/cast/REYES", json={"actor": "Rafael Ortega", "dailyRate": 1800}, headers=producer)
    response = client.get("/api/schedule/cast?q=ortega", headers=producer)
    assert [m["character"] for m in response.get_json()["data"]] == ["REYES"]
    assert response.headers["X-Total-Count"] == "1" and response.get_json()["message"] == "1 cast member"
    ordered = client.get("/api/schedule/cast?sort=-dailyRate&page=1&per_page=2", headers=producer).get_json()
    assert [m["character"] for m in ordered["data"]][0] == "REYES" and ordered["meta"]["total"] == 3
