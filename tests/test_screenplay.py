"""Real screenplays through the API (SPEC §3 Script): headings' time of day, character cues,
transitions, text hygiene (BOM, control characters, line breaks), page_eighths and totalPages."""
import io

import pytest

from utils.store import get_store


def breakdown(client, auth, text):
    response = client.post("/api/script/breakdown", json={"text": text}, headers=auth.headers("producer"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def one_scene(client, auth, heading):
    [scene] = breakdown(client, auth, f"{heading}\n\nSomething happens.\n")["scenes"]
    return scene


# -- the time of day: the last part after " - ", "--" or ", " that names one ---------------------
@pytest.mark.parametrize("heading, location, day_night", [
    ("INT. SAN FRANCISCO APARTMENT, DAY", "SAN FRANCISCO APARTMENT", "DAY"),
    ("INT. SAUSALITO HOME, THE NEXT MORNING", "SAUSALITO HOME", "MORNING"),
    ("INT. BAXTER'S APARTMENT, LATER THAT EVENING", "BAXTER'S APARTMENT", "EVENING"),
    ("INT. BAXTER'S SAN FRANCISCO APARTMENT, SAME", "BAXTER'S SAN FRANCISCO APARTMENT", "CONTINUOUS"),
    ("INT. HALLWAY, SCOTT'S APARTMENT BUILDING, A MOMENT LATER", "HALLWAY, SCOTT'S APARTMENT BUILDING", "CONTINUOUS"),
    ("EXT. PIER - MAGIC HOUR", "PIER", "DUSK"),
    ("INT. BEDROOM - LATER THAT NIGHT", "BEDROOM", "NIGHT"),
    ("INT. EDWARD'S CAR - NIGHT - [THE STORM]", "EDWARD'S CAR", "NIGHT"),
    ("EXT. ROAD - NIGHT", "ROAD", "NIGHT"),
    ("EXT. ROCKS -- DAWN", "ROCKS", "DAWN"),
    ("EXT. BEACH - SUNSET", "BEACH", "DUSK"),
    ("EXT. HILL - SUNRISE", "HILL", "DAWN"),
    ("INT. OFFICE - LATER", "OFFICE", "CONTINUOUS"),
    ("INT. OFFICE - MOMENTS LATER", "OFFICE", "CONTINUOUS"),
    ("INT. STAIRS - CONTINUOUS", "STAIRS", "CONTINUOUS"),
    ("INT. HOUSE - HALLWAY - NIGHT", "HOUSE - HALLWAY", "NIGHT"),
    ("INT. HOSPITAL - DAY ROOM", "HOSPITAL - DAY ROOM", "DAY"),  # "DAY ROOM" names a place, not a time
    ("EXT. FIELD", "FIELD", "DAY"),  # none: DAY
])
def test_the_time_of_day_is_the_last_part_that_names_one(client, auth, heading, location, day_night):
    scene = one_scene(client, auth, heading)
    assert (scene["location"], scene["day_night"]) == (location, day_night)
    assert scene["title"] == heading


def test_what_follows_the_time_of_day_goes_to_notes(client, auth):
    scene = one_scene(client, auth, "INT. EDWARD'S CAR - NIGHT - [THE STORM] #7#")
    assert scene["notes"] == "Scene number in the screenplay: 7; Heading after the time of day: [THE STORM]"


# -- character cues, whatever word they start with; transitions by their form ----------------------
@pytest.mark.parametrize("cue, name", [
    ("FADE", "FADE"), ("FADE (V.O.)", "FADE"), ("CUTTER", "CUTTER"), ("CUT", "CUT"), ("JUMP LEADER", "JUMP LEADER"),
    ("SMASH", "SMASH"), ("IRIS", "IRIS"), ("END", "END"), ("MORE GUARDS", "MORE GUARDS"),
    ("HANS (on the radio)", "HANS"), ("MARA (cont'd)", "MARA"), ("@McCLANE", "McCLANE"), ("DUAL ^", "DUAL"),
])
def test_a_cue_followed_by_dialogue_is_a_character_whatever_it_starts_with(client, auth, cue, name):
    scene = one_scene(client, auth, f"INT. ROOM - DAY\n\n{cue}\nA line of dialogue.")
    assert scene["characters"] == [name]


@pytest.mark.parametrize("transition", [
    "CUT TO:", "SMASH CUT TO:", "JUMP CUT TO:", "MATCH CUT TO:", "> FADE TO BLACK", "> BURN TO PINK.",
    "FADE OUT.", "FADE TO BLACK.", "CUT TO BLACK.", "THE END", "IRIS OUT.",
])
@pytest.mark.parametrize("after", ["", "\nBLACK SCREEN\n"])
def test_transitions_are_never_characters(client, auth, transition, after):
    text = f"INT. ROOM - DAY\n\nBOB\nHi.\n\n{transition}{after}\n\nINT. HALL - DAY\n\nMore.\n"
    scenes = breakdown(client, auth, text)["scenes"]
    assert [s["characters"] for s in scenes] == [["BOB"], []]


# -- text hygiene --------------------------------------------------------------------------------
BOM_TEXT = "\ufeffTitle: The Harbour\n\nINT. QUAY - NIGHT\n\nANNA\nHello.\n"


def test_a_bom_in_json_text_is_ignored(client, auth):
    data = breakdown(client, auth, BOM_TEXT)
    assert data["title"] == "The Harbour" and [s["title"] for s in data["scenes"]] == ["INT. QUAY - NIGHT"]
    data = breakdown(client, auth, "\ufeffINT. QUAY - NIGHT\n\nANNA\nHello.\n")
    assert [s["title"] for s in data["scenes"]] == ["INT. QUAY - NIGHT"] and data["characters"] == ["ANNA"]


def test_a_bom_in_stored_text_is_ignored(client, auth):
    saved = client.put("/api/script/text", json={"content": BOM_TEXT}, headers=auth.headers("producer"))
    assert saved.status_code == 200 and saved.get_json()["data"]["content"] == BOM_TEXT[1:]
    response = client.post("/api/script/breakdown", headers=auth.headers("producer"))
    data = response.get_json()["data"]
    assert data["title"] == "The Harbour" and data["totalScenes"] == 1 and data["characters"] == ["ANNA"]


def test_a_bom_in_an_uploaded_file_is_ignored(client, auth):
    response = client.post("/api/script/breakdown", data={"file": (io.BytesIO(BOM_TEXT.encode()), "draft.fountain")},
                           headers=auth.headers("producer"), content_type="multipart/form-data")
    data = response.get_json()["data"]
    assert data["title"] == "The Harbour" and data["totalScenes"] == 1


def test_a_nul_in_json_text_is_a_400_naming_the_line(client, auth):
    response = client.post("/api/script/breakdown", json={"text": "INT. QUAY - NIGHT\n\nANNA\x00\nHello.\n"},
                           headers=auth.headers("producer"))
    assert response.status_code == 400
    assert response.get_json()["errors"] == {
        "text": "the screenplay has a control character (U+0000) on line 3: remove it (a screenplay is plain text)"}


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x0c", "\x7f", "\x85"])
def test_a_control_character_in_stored_text_is_a_400_naming_the_line_and_nothing_is_saved(client, auth, character):
    response = client.put("/api/script/text", json={"content": f"INT. A - DAY\n\nline two{character}\n"},
                          headers=auth.headers("producer"))
    assert response.status_code == 400
    assert "on line 3" in response.get_json()["errors"]["content"]
    assert client.get("/api/script/text", headers=auth.headers("crew")).get_json()["data"]["content"] == ""


def test_a_nul_in_an_upload_is_a_400_naming_the_line(client, auth):
    response = client.post("/api/script/breakdown", data={"file": (io.BytesIO(b"INT. A - DAY\n\nANNA\x00\n"), "a.txt")},
                           headers=auth.headers("producer"), content_type="multipart/form-data")
    assert response.status_code == 400 and "on line 3" in response.get_json()["errors"]["file"]


def test_tabs_are_text_and_crlf_and_lone_cr_become_newlines(client, auth):
    saved = client.put("/api/script/text", json={"content": "INT. A - DAY\r\n\r\n\tBOB\r\tHi.\r\n"},
                       headers=auth.headers("producer"))
    assert saved.get_json()["data"]["content"] == "INT. A - DAY\n\n\tBOB\n\tHi.\n"
    data = breakdown(client, auth, "INT. A - DAY\r\rBOB\rHi.\r")
    assert data["characters"] == ["BOB"]


# -- page_eighths and totalPages ---------------------------------------------------------------------
def test_breakdown_gives_each_scene_page_eighths_runtime_and_total_pages(client, auth):
    # scene 1: heading, blank, 53-line paragraph = 55 lines, a full page: 8/8, 1.0 minute.
    # scene 2: heading, blank, one line = 3 lines: 1/8, 0.125 minute. Two pages in all.
    text = "INT. A - DAY\n\n" + "x\n" * 53 + "\nINT. B - NIGHT\n\ny\n"
    data = breakdown(client, auth, text)
    assert [(s["page_eighths"], s["estimated_runtime_minutes"]) for s in data["scenes"]] == [(8, 1.0), (1, 0.125)]
    assert data["totalPages"] == 2 and data["totalEstimatedDuration"] == 1.125
    saved = client.put("/api/script/text", json={"content": text}, headers=auth.headers("producer")).get_json()
    assert saved["data"]["pages"] == 2
    assert client.get("/api/script/text", headers=auth.headers("crew")).get_json()["message"] == "Screenplay text: 2 pages"


def test_applied_breakdown_stores_page_eighths(client, auth):
    text = "INT. A - DAY\n\n" + "x\n" * 53 + "\nINT. B - NIGHT\n\ny\n"
    response = client.post("/api/script/breakdown?apply=true", json={"text": text}, headers=auth.headers("director"))
    assert response.status_code == 201
    scenes = client.get("/api/script/scenes", headers=auth.headers("crew")).get_json()["data"]
    assert [s["page_eighths"] for s in scenes] == [8, 1]


def create(client, auth, **fields):
    return client.post("/api/script/scenes", json=fields, headers=auth.headers("director"))


def test_page_eighths_is_entered_on_create_and_update(client, auth):
    scene = create(client, auth, title="INT. A - DAY", page_eighths=12).get_json()["data"]
    assert scene["page_eighths"] == 12
    updated = client.put(f"/api/script/scene/{scene['id']}", json={"page_eighths": 19}, headers=auth.headers("producer"))
    assert updated.status_code == 200 and updated.get_json()["data"]["page_eighths"] == 19
    assert client.get(f"/api/script/scene/{scene['id']}", headers=auth.headers("crew")).get_json()["data"][
        "page_eighths"] == 19
    create(client, auth, title="INT. B - DAY", page_eighths=3)
    longest = client.get("/api/script/scenes?sort=-page_eighths", headers=auth.headers("crew")).get_json()["data"]
    assert [s["page_eighths"] for s in longest] == [19, 3]


@pytest.mark.parametrize("value, message", [(0, "must be at least 1"), (1.5, "must be an integer"),
                                            ("3", "must be an integer"), (True, "must be an integer"),
                                            (None, "must not be null")])
def test_a_bad_page_eighths_is_a_400(client, auth, value, message):
    response = create(client, auth, page_eighths=value)
    assert response.status_code == 400 and response.get_json()["errors"] == {"page_eighths": message}


@pytest.mark.parametrize("minutes, eighths", [(2.5, 20), (0.3, 3), (0, 1)])
def test_a_scene_without_page_eighths_gets_its_runtime_in_eighths(client, auth, minutes, eighths):
    # 0.3 minute = 2.4 eighths, rounded up to 3; no runtime is still 1/8
    scene = create(client, auth, title="INT. NOT IN THE TEXT - DAY", estimated_runtime_minutes=minutes).get_json()["data"]
    assert scene["page_eighths"] == eighths


def test_scenes_stored_before_page_eighths_get_it_from_the_stored_screenplay(app, client, auth):
    text = "INT. A - DAY\n\n" + "x\n" * 53 + "\nINT. B - NIGHT\n\ny\n"
    client.put("/api/script/text", json={"content": text}, headers=auth.headers("producer"))
    create(client, auth, scene_number=1, title="INT. A - DAY", estimated_runtime_minutes=3)
    create(client, auth, scene_number=2, title="INT. ELSEWHERE - DAY", estimated_runtime_minutes=0.5)
    create(client, auth, scene_number=3, title="int. b - night")
    with app.app_context():  # stored as scenes were before the field existed: without it
        assert not any("page_eighths" in scene for scene in get_store().read("script")["scenes"])
    scenes = client.get("/api/script/scenes", headers=auth.headers("crew")).get_json()["data"]
    # 1 matches the text's scene 1 (a full page); 2 is not in the text (0.5 minute = 4/8);
    # 3 matches the text's heading "INT. B - NIGHT" (written once) though its number differs.
    assert [s["page_eighths"] for s in scenes] == [8, 4, 1]
    assert client.get("/api/script", headers=auth.headers("crew")).get_json()["data"]["scenes"][1]["page_eighths"] == 4


def test_check_data_knows_page_eighths(app, client, auth, runner):
    create(client, auth, title="INT. A - DAY")
    assert runner.invoke(args=["check-data"]).exit_code == 0  # a scene without one is sound
    with app.app_context():
        with get_store().edit("script") as script:
            script["scenes"][0]["page_eighths"] = 0
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 1 and "script.json scene 1: page_eighths must be at least 1" in result.output


def test_demo_scenes_have_page_eighths_and_every_revision_a_timestamp(app, client, demo_login):
    headers = demo_login("crew")
    with app.app_context():
        stored = get_store().read("script")["scenes"]
    assert all(isinstance(scene["page_eighths"], int) and scene["page_eighths"] >= 1 for scene in stored)
    scenes = client.get("/api/script/scenes", headers=headers).get_json()["data"]
    assert [s["page_eighths"] for s in scenes] == [round(s["estimated_runtime_minutes"] * 8) for s in scenes]
    versions = client.get("/api/script/versions", headers=headers).get_json()["data"]
    assert [v["version"] for v in versions] == ["2", "1"]
    assert all(v["lastModified"].endswith("Z") for v in versions)


def test_a_first_revision_stored_without_a_timestamp_takes_the_time_of_the_revision_that_recorded_it(
        app, client, auth):
    create(client, auth, title="INT. A - DAY")  # records revision 1, then makes revision 2
    with app.app_context():  # as a production seeded before every revision carried a timestamp
        store = get_store()
        with store.edit("script_revisions") as index:
            index["items"][0]["lastModified"] = None
        with store.edit("script_revision_1") as revision:
            revision["lastModified"] = None
    versions = client.get("/api/script/versions", headers=auth.headers("crew")).get_json()["data"]
    assert [v["version"] for v in versions] == ["2", "1"]
    assert versions[1]["lastModified"] == versions[0]["lastModified"] and versions[0]["lastModified"].endswith("Z")
    first = client.get("/api/script/versions/1", headers=auth.headers("crew")).get_json()["data"]
    assert first["lastModified"] == versions[0]["lastModified"]
