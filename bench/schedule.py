"""The schedule's reads on a feature-sized board: a 200-scene script over 60 shooting days, 40 cast members.

    .venv/bin/python -m bench.schedule [--scenes 200] [--days 60] [--repeat 20]

Runs the app in-process (Flask's test client, no server), so the figures are the time the app
spends building each answer: the median and the slowest of ``--repeat`` requests, in ms. The JSON
reads are measured with the response cache emptied before each request (every read builds the
board), and once more as served from the cache. Prints a table; asserts nothing about time.
"""
import argparse
import statistics
import tempfile
import time

from app import create_app
from bench.seed import PASSWORD, SECRET
from services import schedule, script
from services import users as users_service
from utils.store import get_store

INT_EXT, DAY_NIGHT = ("INT", "EXT", "INT/EXT"), ("DAY", "NIGHT", "DUSK", "MORNING")


def scene(n, characters):
    cast = [characters[(n * 7 + k * 3) % len(characters)] for k in range(1 + n % 4)]
    return {"scene_number": n, "title": f"SCENE {n}", "int_ext": INT_EXT[n % 3], "day_night": DAY_NIGHT[n % 4],
            "location": f"LOCATION {n % 23}", "estimated_runtime_minutes": 0.5 + (n % 9) * 0.375,
            "characters": cast, "scene_description": f"What happens in scene {n}, in a sentence or two. " * 3}


def prepare(app, scenes, days):
    characters = [f"CHARACTER {k:02d}" for k in range(40)]
    with app.app_context():
        producer = users_service.create_user({"username": "producer", "name": "Bench Producer", "role": "Producer",
                                              "email": "producer@bench.example", "password": PASSWORD},
                                             schema=users_service.DEMO_SCHEMA)
        seeded = script.seed("Benchmark Feature", [scene(n, characters) for n in range(1, scenes + 1)], "", producer)
        ids = [s["id"] for s in seeded["scenes"]]
        with get_store().transaction("cast") as transaction:
            cast = transaction.document("cast")
            for k, name in enumerate(characters):
                cast["members"][name.casefold()] = {"actor": f"Actor {k}", "dailyRate": 500 + 125 * k}
        schedule.update({"startDate": "2027-01-04", "holidays": ["2027-01-18", "2027-02-15"], "days": [
            {"sceneIds": ids[d * len(ids) // days:(d + 1) * len(ids) // days]} for d in range(days)]})


def timed(client, url, headers, repeat, cold):
    times = []
    for _ in range(repeat):
        if cold:
            client.application.extensions.pop("prodsight.responses", None)
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), max(times), len(response.data)


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.schedule", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenes", type=int, default=200)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        app = create_app({"DATA_DIR": f"{work}/data", "UPLOAD_DIR": f"{work}/uploads", "SECRET_KEY": SECRET,
                          "JWT_SECRET_KEY": SECRET, "AUTO_SEED": False, "PRODSIGHT_ENV": "production"})
        prepare(app, args.scenes, args.days)
        client = app.test_client()
        login = client.post("/api/auth/login", json={"username": "producer", "password": PASSWORD}).get_json()
        headers = {"Authorization": "Bearer " + login["data"]["access_token"]}
        days = len(client.get("/api/schedule", headers=headers).get_json()["data"]["days"])
        print(f"{args.scenes} scenes over {days} shooting days, 40 cast members; {args.repeat} requests each")
        print(f"{'request':<46} {'median ms':>10} {'max ms':>8} {'bytes':>9}")
        for label, url, cold in (
            ("GET /schedule (built)", "/api/schedule", True),
            ("GET /schedule (from the response cache)", "/api/schedule", False),
            ("GET /schedule/dood", "/api/schedule/dood", True),
            ("GET /schedule/dood?format=csv", "/api/schedule/dood?format=csv", True),
            ("GET /schedule/callsheet/30", "/api/schedule/callsheet/30", True),
            ("GET /schedule/callsheet/30?format=pdf", "/api/schedule/callsheet/30?format=pdf", True),
            ("GET /schedule/stripboard?format=pdf", "/api/schedule/stripboard?format=pdf", True),
        ):
            median, slowest, size = timed(client, url, headers, args.repeat, cold)
            print(f"{label:<46} {median:>10.1f} {slowest:>8.1f} {size:>9,}")


if __name__ == "__main__":
    main()
