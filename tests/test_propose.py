"""POST /schedule/propose (SPEC §3 Schedule, Proposal; issue 21): placement, capacity, dates, cost, apply,
keepDays, bad input, and the search holding no lock."""
import datetime

import pytest

from services import propose as propose_service
from services import schedule as schedule_service
from services.solver import days as solver_days
from tests.test_schedule import add_scene, put_board

FAST = 0.5  # seconds: every test proposal is small or proven long before this


@pytest.fixture
def producer(auth):
    return auth.headers("producer")


def propose(client, headers, body=None, status=200, query=""):
    response = client.post(f"/api/schedule/propose{query}", json={"timeLimitSeconds": FAST, **(body or {})},
                           headers=headers)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def rate(client, headers, character, daily_rate, **extra):
    response = client.put(f"/api/schedule/cast/{character}", json={"dailyRate": daily_rate, **extra}, headers=headers)
    assert response.status_code == 200, response.get_json()


def recomputed(days, rates, weights=(1, 500, 200)):
    """The cost by hand from the answer's days: rate × (last day − first day + 1) per cast id (no drop in
    these small boards), location changes and day/night switches between consecutive strips of a day."""
    first, last, moves, switches = {}, {}, 0, 0
    for day in days:
        for position, strip in enumerate(day["strips"]):
            for cast_id in strip["castIds"]:
                first.setdefault(cast_id, day["day"])
                last[cast_id] = day["day"]
            if position:
                before = day["strips"][position - 1]
                moves += before["location"] != strip["location"]
                switches += (before["day_night"] == "NIGHT") != (strip["day_night"] == "NIGHT")
    cast = sum(rates[c] * (last[c] - first[c] + 1) for c in first)
    return {"total": weights[0] * cast + weights[1] * moves + weights[2] * switches, "cast": cast, "moves": moves,
            "dayNight": switches}


def scene_ids(days):
    return [[strip["sceneId"] for strip in day["strips"]] for day in days]


@pytest.fixture
def four(client, producer):
    """Four scenes: MARA (1,000 a day) and OLSEN (300), two sets, day and night."""
    scenes = [add_scene(client, producer, ["MARA"], location="HARBOUR", day_night="DAY", page_eighths=16),
              add_scene(client, producer, ["OLSEN"], location="OFFICE", day_night="NIGHT", page_eighths=16),
              add_scene(client, producer, ["MARA", "OLSEN"], location="HARBOUR", day_night="DAY", page_eighths=8),
              add_scene(client, producer, ["MARA"], location="HARBOUR", day_night="NIGHT", page_eighths=8)]
    rate(client, producer, "MARA", 1000)
    rate(client, producer, "OLSEN", 300)
    return [scene["id"] for scene in scenes]


# -- what a proposal is ---------------------------------------------------------------------------
def test_a_small_proposal_by_hand(client, producer):
    # A and B (MARA, one page each, same set, day) fit one day of 2 pages; C (OLSEN, night, elsewhere) gets its own:
    # MARA 1 day (1,000) + OLSEN 1 day (300), no move, no switch: 1,300, and nothing can be cheaper.
    a = add_scene(client, producer, ["MARA"], location="QUAY", page_eighths=8)["id"]
    b = add_scene(client, producer, ["MARA"], location="QUAY", page_eighths=8)["id"]
    c = add_scene(client, producer, ["OLSEN"], location="OFFICE", day_night="NIGHT", page_eighths=8)["id"]
    rate(client, producer, "MARA", 1000)
    rate(client, producer, "OLSEN", 300)
    data = propose(client, producer, {"pagesPerDay": 2})["data"]
    assert sorted(map(sorted, scene_ids(data["days"]))) == sorted([sorted([a, b]), [c]])
    assert data["cost"] == {"total": 1300, "cast": 1300, "moves": 0, "dayNight": 0}
    assert data["optimal"] is True and data["lowerBound"] == 1300
    assert 0 <= data["seconds"]


def test_every_scene_placed_once_within_capacity_and_the_cost_recomputed(client, producer, four):
    data = propose(client, producer, {"pagesPerDay": 3})["data"]
    placed = [s for day in scene_ids(data["days"]) for s in day]
    assert sorted(placed) == sorted(four)
    for day in data["days"]:
        assert day["eighths"] <= 24 and not day["overCapacity"] and day["strips"]
    assert data["cost"] == recomputed(data["days"], {1: 1000, 2: 300})
    assert data["optimal"] is True
    # the cast cost is the DOOD total of that board
    assert data["cost"]["cast"] == schedule_service_cost(client, producer, data["days"])


def schedule_service_cost(client, headers, days):
    put_board(client, headers, {"days": [{"sceneIds": ids} for ids in scene_ids(days)]})
    return client.get("/api/schedule", headers=headers).get_json()["data"]["totals"]["castCost"]


def test_weights_change_the_total_and_the_choice(client, producer, four):
    free_moves = propose(client, producer, {"pagesPerDay": 3, "weights": {"moves": 0, "dayNight": 0}})["data"]
    assert free_moves["cost"]["total"] == free_moves["cost"]["cast"]
    costly = propose(client, producer, {"pagesPerDay": 3, "weights": {"cast": 0.5, "moves": 10000}})["data"]
    assert costly["cost"]["moves"] == 0
    assert costly["cost"] == recomputed(costly["days"], {1: 1000, 2: 300}, (0.5, 10000, 200))


def test_a_scene_longer_than_a_day_gets_a_day_of_its_own(client, producer):
    long = add_scene(client, producer, ["MARA"], page_eighths=80)["id"]
    add_scene(client, producer, ["MARA"], page_eighths=4)
    data = propose(client, producer, {"pagesPerDay": 2})["data"]
    own = [day for day in data["days"] if long in [s["sceneId"] for s in day["strips"]]][0]
    assert len(own["strips"]) == 1 and own["overCapacity"] is True


def test_unavailable_dates_are_never_worked(client, producer):
    put_board(client, producer, {"startDate": "2026-12-07"})  # a Monday; Sundays off
    mara = add_scene(client, producer, ["MARA"], page_eighths=8)["id"]
    olsen = add_scene(client, producer, ["OLSEN"], page_eighths=8)["id"]
    rate(client, producer, "MARA", 1000, unavailable=["2026-12-07"])
    data = propose(client, producer)["data"]  # both fit one day, but MARA cannot work the first
    assert all(day["unavailableCast"] == [] for day in data["days"])
    when = {s["sceneId"]: day["date"] for day in data["days"] for s in day["strips"]}
    assert when == {olsen: "2026-12-07", mara: "2026-12-08"}


def test_without_a_start_date_no_date_applies(client, producer):
    add_scene(client, producer, ["MARA"], page_eighths=8)
    rate(client, producer, "MARA", 1000, unavailable=["2026-12-07"])
    data = propose(client, producer)["data"]
    assert [day["date"] for day in data["days"]] == [None]


# -- apply, keepDays --------------------------------------------------------------------------------
def events(client, auth):
    return client.get("/api/activity", headers=auth.headers("producer")).get_json()["data"]


def test_without_apply_nothing_is_stored(client, producer, auth, four):
    before = client.get("/api/schedule", headers=producer).get_json()["data"]
    logged = len(events(client, auth))
    propose(client, producer, {"pagesPerDay": 3}, status=200)
    assert client.get("/api/schedule", headers=producer).get_json()["data"] == before
    assert len(events(client, auth)) == logged


def test_apply_stores_it_as_the_board_with_one_event(client, producer, auth, four):
    logged = len(events(client, auth))
    answer = propose(client, producer, {"pagesPerDay": 3}, status=201, query="?apply=true")
    assert answer["message"].endswith("(applied)")
    board = client.get("/api/schedule", headers=producer).get_json()["data"]
    assert scene_ids(board["days"]) == scene_ids(answer["data"]["days"])
    assert board["pagesPerDay"] == 3 and board["boneyard"] == []
    assert board["totals"]["castCost"] == answer["data"]["cost"]["cast"]
    log = events(client, auth)
    assert len(log) == logged + 1
    cost = answer["data"]["cost"]
    assert log[0]["entity"] == "schedule" and log[0]["action"] == "update"
    assert log[0]["summary"] == (f"Producer applied a proposed schedule: {len(board['days'])} shooting days, cost "
                                 f"{cost['total']:,.2f} (cast {cost['cast']:,.2f}, {cost['moves']} company move"
                                 f"{'' if cost['moves'] == 1 else 's'}, {cost['dayNight']} day/night switch"
                                 f"{'' if cost['dayNight'] == 1 else 'es'}), proven optimal")


def test_keep_days_keeps_the_board_and_orders_the_boneyard_after_it(client, producer, four):
    put_board(client, producer, {"days": [{"sceneIds": [four[3]], "callTime": "05:30", "note": "Dawn at the quay"}]})
    data = propose(client, producer, {"pagesPerDay": 3, "keepDays": True})["data"]
    assert scene_ids(data["days"])[0] == [four[3]]
    assert (data["days"][0]["callTime"], data["days"][0]["note"]) == ("05:30", "Dawn at the quay")
    assert sorted(s for day in scene_ids(data["days"])[1:] for s in day) == sorted(four[:3])
    assert data["cost"] == recomputed(data["days"], {1: 1000, 2: 300})
    assert data["optimal"] is True
    # without keepDays the kept day is not kept
    free = propose(client, producer, {"pagesPerDay": 3})["data"]
    assert sorted(s for day in scene_ids(free["days"]) for s in day) == sorted(four)


def test_a_board_changed_during_the_search_is_not_overwritten(client, producer, four, monkeypatch):
    """The search holds no lock: a write made while it runs goes through, and the apply then refuses (409)."""
    real = solver_days.solve

    def solve_while_someone_edits(production, time_limit=None):
        schedule_service.update({"pagesPerDay": 7})  # would deadlock if the proposal held the schedule's lock
        return real(production, time_limit)

    monkeypatch.setattr(propose_service.solver, "solve", solve_while_someone_edits)
    answer = propose(client, producer, {"pagesPerDay": 3}, status=409, query="?apply=true")
    assert "changed while the proposal was searched" in answer["message"]
    board = client.get("/api/schedule", headers=producer).get_json()["data"]
    assert board["pagesPerDay"] == 7 and board["days"] == []


# -- bad input ----------------------------------------------------------------------------------------
def test_no_scene_is_a_400(client, producer):
    answer = propose(client, producer, status=400)
    assert "no scene" in answer["message"]


@pytest.mark.parametrize("body, field", [
    ({"timeLimitSeconds": 0}, "timeLimitSeconds"),
    ({"timeLimitSeconds": 1000}, "timeLimitSeconds"),
    ({"timeLimitSeconds": "10"}, "timeLimitSeconds"),
    ({"pagesPerDay": 0}, "pagesPerDay"),
    ({"weights": {"cast": -1}}, "weights"),
    ({"weights": {"travel": 1}}, "weights"),
    ({"weights": [1, 2]}, "weights"),
    ({"keepDays": "yes"}, "keepDays"),
    ({"days": []}, "days"),
])
def test_bad_bodies_are_400s_naming_the_field(client, producer, four, body, field):
    response = client.post("/api/schedule/propose", json=body, headers=producer)
    assert response.status_code == 400 and field in response.get_json()["errors"], response.get_json()


def test_a_bad_apply_flag_is_a_400(client, producer, four):
    response = client.post("/api/schedule/propose?apply=maybe", json={}, headers=producer)
    assert response.status_code == 400 and "apply" in response.get_json()["errors"]


def test_a_cast_member_unavailable_on_every_date_is_a_400_naming_them(client, producer):
    put_board(client, producer, {"startDate": "2026-12-07"})
    add_scene(client, producer, ["MARA"], page_eighths=8)
    add_scene(client, producer, ["MARA", "OLSEN"], page_eighths=8)
    rate(client, producer, "MARA", 1000, unavailable=["2026-12-07", "2026-12-08"])  # the only 2 dates 2 scenes take
    answer = propose(client, producer, status=400)
    assert "1 MARA" in answer["message"] and "unavailable on every" in answer["message"]
    assert "cast" in answer["errors"]


def test_a_day_capacity_no_scene_fits_gives_each_scene_its_own_day(client, producer, four):
    data = propose(client, producer, {"pagesPerDay": 0.001})["data"]
    assert len(data["days"]) == 4 and all(len(day["strips"]) == 1 for day in data["days"])


@pytest.mark.slow
def test_a_2000_scene_script_gets_a_proposal_within_its_limit(client, producer):
    scenes = [{"scene_number": n, "characters": [f"ACTOR {n % 40}", f"ACTOR {(n * 7) % 40}"],
               "location": f"SET {n % 25}", "day_night": "NIGHT" if n % 3 else "DAY", "page_eighths": 1 + n % 12}
              for n in range(1, 2001)]
    assert client.put("/api/script", json={"scenes": scenes}, headers=producer).status_code == 200
    data = propose(client, producer, {"timeLimitSeconds": 2})["data"]
    assert sorted(int(s["scene_number"]) for day in data["days"] for s in day["strips"]) == list(range(1, 2001))
    assert all(not day["overCapacity"] for day in data["days"])
    assert data["optimal"] is False and data["lowerBound"] <= data["cost"]["total"]


# -- the service API: the lock is never held while searching ------------------------------------------------
def test_the_search_reads_without_a_transaction(app, client, producer, four, monkeypatch):
    """propose reads the store, searches, and only apply=true opens a transaction (one, to write)."""
    opened = []
    store = app.extensions["prodsight.store"]
    real = store.transaction

    def counting(name, *args, **kwargs):
        opened.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(store, "transaction", counting)
    propose(client, producer, {"pagesPerDay": 3})
    assert opened == []
    propose(client, producer, {"pagesPerDay": 3}, status=201, query="?apply=1")
    assert opened == [schedule_service.SCHEDULE]


def test_dates_of_a_proposal_follow_days_off_and_holidays(client, producer, four):
    put_board(client, producer, {"startDate": "2026-12-24", "holidays": ["2026-12-25"], "daysOff": ["Saturday", "Sunday"]})
    data = propose(client, producer, {"pagesPerDay": 1})["data"]
    dates = [datetime.date.fromisoformat(day["date"]) for day in data["days"]]
    assert dates[:2] == [datetime.date(2026, 12, 24), datetime.date(2026, 12, 28)]


def test_a_dood_drop_is_the_reported_cast_cost_and_no_proof_is_claimed(client, producer):
    """The solver pays every hold; the DOOD drops a gap over dropDays. cost.cast is the DOOD's (SPEC), so
    the proof, made for the holds-paid cost, is not claimed: optimal false, lowerBound null."""
    put_board(client, producer, {"startDate": "2026-12-07", "dropDays": 1})
    mara = [add_scene(client, producer, ["MARA"], page_eighths=8)["id"] for _ in range(2)]
    for _ in range(2):
        add_scene(client, producer, ["OLSEN"], page_eighths=8)
    rate(client, producer, "MARA", 1000, unavailable=["2026-12-08", "2026-12-09"])
    rate(client, producer, "OLSEN", 100)
    answer = propose(client, producer, {"pagesPerDay": 1}, status=201, query="?apply=true")["data"]
    when = {s["sceneId"]: day["day"] for day in answer["days"] for s in day["strips"]}
    assert sorted(when[s] for s in mara) == [1, 4]  # Tuesday and Wednesday between: a 2-day gap, over dropDays 1
    assert answer["cost"]["cast"] == 2 * 1000 + 2 * 100  # MARA dropped for the gap, not held 4 days (4,200)
    assert answer["optimal"] is False and answer["lowerBound"] is None
    assert client.get("/api/schedule", headers=producer).get_json()["data"]["totals"]["castCost"] == answer["cost"]["cast"]
