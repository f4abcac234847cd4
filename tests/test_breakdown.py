"""The screenplay breakdown (SPEC §3 Script): Fountain and plain text, JSON or file, preview or apply."""
import io

import pytest

# A title page, then twelve scenes with every kind of heading the breakdown reads.
LONG = """Title: The Long Night
Author: A. Writer
Draft date: 2026-11-30
Contact:
    Harbour Films
    1 Quay Street

FADE IN:

INT. KITCHEN - NIGHT

Mara makes tea. The kettle screams.

MARA
Anyone home?

JOE (O.S.)
Upstairs.

EXT. GARDEN - DAY

Birds.

INT./EXT. CAR - CONTINUOUS

JOE
Get in.

I/E VAN - MORNING

EST. CITY SKYLINE - DUSK

EXT. FIELD

Wind through the wheat.

INT. HOUSE - HALLWAY - NIGHT

MARA (CONT'D)
Joe?

INT. OFFICE - LATER

EXT. BEACH - SUNSET

int. cellar - dawn

EXT/INT. GARAGE - EVENING

.THE VOID

DR. KAPLAN
Hello.
"""

# Everything that is not a scene or a character: notes, boneyard, sections, synopses, transitions,
# centred text, lyrics; and every way of writing a character cue.
TRICKY = """Title:
    _**BRICK & STEEL**_
    _**FULL RETIRED**_
Credit: Written by
Author: Stu Maschwitz

# ACT I

= Brick and Steel meet again.

EXT. BRICK'S PATIO - DAY #1#

A gorgeous day. [[Could be dusk instead?
DUSK WOULD
be nicer]]

STEEL (O.S.)
Brick!

BRICK ^
Steel!

/*
INT. DELETED SCENE - NIGHT

GHOST
Boo.
*/

CUT TO:
BLACK SCREEN

INT. TRAILER HOME - NIGHT #2A#

## Sequence two
NOT A CHARACTER

= The trap is set.
ALSO NOT ONE

@McCLANE
Yippee ki-yay.

BRICK (V.O.) (CONT'D)
Ha.

~WILLY WONKA
~The amazing chocolatier

> THE END <
STILL CENTRED

FADE OUT.
THE END

> SMASH CUT TO:
NOTHING

.SNIPER SCOPE POV

STEEL (V.O.)
Steady.
"""

# Plain screenplay text as a word processor writes it: indented cues and dialogue.
PLAIN = """INT. LIGHTHOUSE - NIGHT

          The lamp turns.

                    KEEPER
          Ships tonight.

                    GIRL (O.S.)
          How many?

EXT. ROCKS -- DAWN

          Waves.
"""


def breakdown(client, auth, body=None, query="", role="producer", **kw):
    return client.post(f"/api/script/breakdown{query}", json=body, headers=auth.headers(role), **kw)


def fields(scene, *names):
    return tuple(scene[name] for name in names)


def test_long_screenplay_with_a_title_page_gives_twelve_scenes_in_order(client, auth):
    response = breakdown(client, auth, {"text": LONG})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["message"] == "Breakdown: 12 scenes"
    data = body["data"]
    assert data["title"] == "The Long Night" and data["totalScenes"] == 12
    assert [s["scene_number"] for s in data["scenes"]] == list(range(1, 13))
    assert [fields(s, "int_ext", "location", "day_night") for s in data["scenes"]] == [
        ("INT", "KITCHEN", "NIGHT"),
        ("EXT", "GARDEN", "DAY"),
        ("INT/EXT", "CAR", "CONTINUOUS"),
        ("INT/EXT", "VAN", "MORNING"),
        ("EXT", "CITY SKYLINE", "DUSK"),
        ("EXT", "FIELD", "DAY"),  # a heading without a time of day
        ("INT", "HOUSE - HALLWAY", "NIGHT"),
        ("INT", "OFFICE", "CONTINUOUS"),
        ("EXT", "BEACH", "DUSK"),
        ("INT", "cellar", "DAWN"),
        ("INT/EXT", "GARAGE", "EVENING"),
        ("INT", "THE VOID", "DAY"),  # a forced heading
    ]
    assert data["scenes"][0]["title"] == "INT. KITCHEN - NIGHT"
    assert data["scenes"][0]["scene_description"] == "Mara makes tea. The kettle screams."
    assert data["scenes"][0]["characters"] == ["MARA", "JOE"]
    assert data["scenes"][6]["characters"] == ["MARA"]
    assert data["characters"] == ["DR. KAPLAN", "JOE", "MARA"]
    assert data["locations"] == ["BEACH", "CAR", "CITY SKYLINE", "FIELD", "GARAGE", "GARDEN", "HOUSE - HALLWAY",
                                 "KITCHEN", "OFFICE", "THE VOID", "VAN", "cellar"]
    assert "id" not in data["scenes"][0] and data["scenes"][0]["scene_status"] == "Not Shot"
    assert data["scenes"][0]["number"] == 1 and data["scenes"][0]["timeOfDay"] == "NIGHT"


def test_notes_boneyard_sections_synopses_transitions_centred_text_and_lyrics_are_not_scenes_or_characters(
        client, auth):
    data = breakdown(client, auth, {"text": TRICKY}).get_json()["data"]
    assert data["title"] == "BRICK & STEEL FULL RETIRED"
    assert [s["title"] for s in data["scenes"]] == ["EXT. BRICK'S PATIO - DAY", "INT. TRAILER HOME - NIGHT",
                                                   "SNIPER SCOPE POV"]
    assert [s["characters"] for s in data["scenes"]] == [["STEEL", "BRICK"], ["McCLANE", "BRICK"], ["STEEL"]]
    assert data["characters"] == ["BRICK", "McCLANE", "STEEL"]
    assert data["scenes"][0]["scene_description"] == "A gorgeous day."


def test_written_scene_numbers_are_stripped_and_kept_in_notes_when_they_differ(client, auth):
    scenes = breakdown(client, auth, {"text": TRICKY}).get_json()["data"]["scenes"]
    assert [s["scene_number"] for s in scenes] == [1, 2, 3]
    assert [s["notes"] for s in scenes] == ["", "Scene number in the screenplay: 2A", ""]


def test_plain_screenplay_text_with_indented_cues(client, auth):
    data = breakdown(client, auth, {"text": PLAIN}).get_json()["data"]
    assert [fields(s, "int_ext", "location", "day_night") for s in data["scenes"]] == [
        ("INT", "LIGHTHOUSE", "NIGHT"), ("EXT", "ROCKS", "DAWN")]
    assert data["scenes"][0]["characters"] == ["KEEPER", "GIRL"]
    assert data["scenes"][0]["scene_description"] == "The lamp turns."


def test_runtime_comes_from_length_at_55_lines_a_page_in_eighths(client, auth):
    # A: heading, blank, 53 action lines, blank = 56 lines -> 8.1 eighths -> 1 page -> 1.0 minute.
    # B: heading, blank, one 600-character line (10 printed lines), blank = 13 -> 1.9 eighths -> 0.25.
    # C: heading, five blanks (counted once), one line, blank = 4 -> 0.6 eighths -> at least 1/8 -> 0.125.
    text = ("INT. A - DAY\n\n" + "x\n" * 53 + "\nINT. B - DAY\n\n" + "y" * 600 + "\n\nINT. C - DAY\n\n\n\n\n\nz\n")
    data = breakdown(client, auth, {"text": text}).get_json()["data"]
    assert [s["estimated_runtime_minutes"] for s in data["scenes"]] == [1.0, 0.25, 0.125]
    assert data["totalEstimatedDuration"] == 1.375


@pytest.mark.parametrize("text", ["", "   \n\n\t", "hello world", "Title: Only a title page\nAuthor: Me\n",
                                  "INTERIOR KITCHEN NIGHT", "\x00\x01\x02 garbage \ufffd", "[[" * 1000, "/*" * 1000])
def test_empty_or_garbage_text_is_a_400(client, auth, text):
    response = breakdown(client, auth, {"text": text})
    assert response.status_code == 400
    body = response.get_json()
    assert "text" in body["errors"] and body["message"].startswith("The screenplay cannot be broken down")


@pytest.mark.parametrize("body, field", [({"text": 5}, "text"), ({"text": None}, "text"),
                                         ({"script": "INT. A - DAY"}, "script")])
def test_a_body_that_is_not_a_text_is_a_400(client, auth, body, field):
    response = breakdown(client, auth, body)
    assert response.status_code == 400 and field in response.get_json()["errors"]


def test_a_breakdown_without_apply_changes_nothing(client, auth):
    assert breakdown(client, auth, {"text": LONG}).status_code == 200
    script = client.get("/api/script", headers=auth.headers("crew")).get_json()["data"]
    assert (script["version"], script["scenes"]) == ("1", [])


@pytest.mark.parametrize("filename", ["draft.fountain", "DRAFT.TXT", "my.script.txt"])
def test_an_uploaded_fountain_or_text_file_is_broken_down(client, auth, filename):
    upload = {"file": (io.BytesIO("\ufeff".encode() + PLAIN.encode()), filename)}
    response = client.post("/api/script/breakdown", data=upload, headers=auth.headers("director"),
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["data"]["totalScenes"] == 2


@pytest.mark.parametrize("filename, content, message", [
    ("draft.pdf", PLAIN.encode(), "must be a .fountain or .txt file"),
    ("draft", PLAIN.encode(), "must be a .fountain or .txt file"),
    ("draft.fountain", b"\xff\xfe\x00I\x00N\x00T", "must be UTF-8 text"),
    ("draft.txt", b"INT. A - DAY\n\x00\x00", "the screenplay has a control character (U+0000) on line 2: remove it "
                                            "(a screenplay is plain text)"),
    ("draft.txt", b"no heading here", "the screenplay has no scene heading: a scene starts with a line like "
                                      "'INT. KITCHEN - NIGHT'"),
])
def test_a_bad_upload_is_a_400_naming_the_file(client, auth, filename, content, message):
    response = client.post("/api/script/breakdown", data={"file": (io.BytesIO(content), filename)},
                           headers=auth.headers("producer"), content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"file": message}


def test_multipart_without_a_file_is_a_400(client, auth):
    response = client.post("/api/script/breakdown", data={"text": PLAIN}, headers=auth.headers("producer"),
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "file" in response.get_json()["errors"]


def test_an_uploaded_file_over_the_limit_is_a_413(client, auth, monkeypatch):
    from services import screenplay
    assert screenplay.MAX_UPLOAD == 5 * 1024 * 1024
    monkeypatch.setattr(screenplay, "MAX_UPLOAD", 1000)  # a 5 MiB body here would only test the test client
    big = "INT. A - DAY\n\n" + "x" * 1000
    response = client.post("/api/script/breakdown", data={"file": (io.BytesIO(big.encode()), "big.fountain")},
                           headers=auth.headers("producer"), content_type="multipart/form-data")
    assert response.status_code == 413 and response.get_json()["message"] == "Screenplay file over 5 MiB"


def test_with_nothing_sent_the_stored_text_is_broken_down(client, auth):
    client.put("/api/script/text", json={"content": PLAIN}, headers=auth.headers("producer"))
    for kwargs in ({}, {"json": {}}):
        response = client.post("/api/script/breakdown", headers=auth.headers("director"), **kwargs)
        assert response.status_code == 200, response.get_json()
        assert [s["location"] for s in response.get_json()["data"]["scenes"]] == ["LIGHTHOUSE", "ROCKS"]


@pytest.mark.parametrize("stored", ["", "Notes for the writers' room, no scenes yet."])
def test_a_stored_text_without_a_heading_is_a_400(client, auth, stored):
    client.put("/api/script/text", json={"content": stored}, headers=auth.headers("producer"))
    response = client.post("/api/script/breakdown", headers=auth.headers("producer"))
    assert response.status_code == 400
    assert response.get_json()["errors"]["text"].startswith("the stored screenplay text ")


def test_apply_replaces_the_scenes_and_stores_the_sent_text_in_one_revision(client, auth, users):
    headers = auth.headers("producer")
    old = client.post("/api/script/scenes", json={"title": "OLD"}, headers=headers).get_json()["data"]
    shot = client.post("/api/vfx", json={"shotName": "SH1", "sceneId": old["id"]}, headers=headers).get_json()["data"]
    response = breakdown(client, auth, {"text": LONG}, "?apply=true", role="director")
    assert response.status_code == 201, response.get_json()
    script = response.get_json()["data"]
    assert response.get_json()["message"] == "Breakdown applied: 12 scenes as version 3 (Pink)"
    assert (script["version"], script["title"], script["totalScenes"]) == ("3", "The Long Night", 12)
    assert [s["id"] for s in script["scenes"]] == [str(n) for n in range(2, 14)]
    assert script["modifiedBy"] == users["director"]["id"] and response.headers["ETag"]
    assert client.get("/api/script/text", headers=headers).get_json()["data"]["content"] == LONG
    entries = client.get("/api/script/versions", headers=headers).get_json()["data"]
    assert [e["version"] for e in entries] == ["3", "2", "1"]
    assert entries[0]["summary"] == "Breakdown applied: 12 scenes from a new screenplay text"
    state = client.get("/api/script/versions/3", headers=headers).get_json()["data"]
    assert state["text"]["content"] == LONG and state["totalScenes"] == 12
    assert client.get(f"/api/vfx/{shot['id']}", headers=headers).get_json()["data"]["sceneId"] is None


def test_apply_without_a_text_uses_the_stored_one_and_keeps_it(client, auth):
    headers = auth.headers("producer")
    client.put("/api/script/text", json={"content": PLAIN}, headers=headers)
    response = client.post("/api/script/breakdown?apply=true", headers=headers)
    assert response.status_code == 201
    assert [s["location"] for s in response.get_json()["data"]["scenes"]] == ["LIGHTHOUSE", "ROCKS"]
    entries = client.get("/api/script/versions", headers=headers).get_json()["data"]
    assert entries[0]["summary"] == "Breakdown applied: 2 scenes from the stored screenplay text"
    assert client.get("/api/script/text", headers=headers).get_json()["data"]["content"] == PLAIN


def test_apply_of_a_bad_text_changes_nothing(client, auth):
    response = breakdown(client, auth, {"text": "no heading"}, "?apply=true")
    assert response.status_code == 400
    script = client.get("/api/script", headers=auth.headers("crew")).get_json()["data"]
    assert script["version"] == "1"


@pytest.mark.parametrize("query", ["?apply=yes", "?apply=True"])
def test_apply_takes_true_or_false_only(client, auth, query):
    response = breakdown(client, auth, {"text": PLAIN}, query)
    assert response.status_code == 400 and "apply" in response.get_json()["errors"]


def test_apply_false_is_a_preview(client, auth):
    assert breakdown(client, auth, {"text": PLAIN}, "?apply=false").status_code == 200


def test_apply_records_one_script_update_event(client, auth, monkeypatch):
    from utils import activity
    events = []
    monkeypatch.setattr(activity, "record", lambda *args, **kw: events.append(args))
    breakdown(client, auth, {"text": PLAIN})
    breakdown(client, auth, {"text": PLAIN}, "?apply=true")
    assert events == [("update", "script", None)]


def test_a_non_json_body_is_a_415(client, auth):
    response = client.post("/api/script/breakdown", data=PLAIN, headers={**auth.headers("producer"),
                                                                        "Content-Type": "text/plain"})
    assert response.status_code == 415
