"""POST /schedule/propose on generated scripts: how far from the lower bound the answer is when the proof
does not finish (README "Proposing a schedule"; docs/solver.md).

    .venv/bin/python -m bench --propose 20,40,60 --seeds 3 --time-limit 10

Each line: the script's size, the limit, the answer's total, its lower bound, the gap
(total − bound) / total, whether it is proven, and the request's own ``seconds``. The scripts: ``--actors``
cast members at daily rates of 100 to 2,000, each scene with 1 to 3 of them, 1 to 24 eighths, one of
scenes/3 sets, a third at night, a page limit of 5 a day (seeded: the same seed gives the same script).
Asserts nothing about time.
"""
import json
import random
import tempfile

from app import create_app
from services import demo


def script(seed, scenes, actors):
    rng = random.Random(seed)
    sets = max(2, scenes // 3)
    return [{"scene_number": n, "characters": sorted({f"ACTOR {rng.randrange(actors)}" for _ in range(rng.randint(1, 3))}),
             "location": f"SET {rng.randrange(sets)}", "day_night": "NIGHT" if rng.random() < 1 / 3 else "DAY",
             "page_eighths": rng.randint(1, 24)} for n in range(1, scenes + 1)], \
        {f"ACTOR {a}": rng.randint(100, 2000) for a in range(actors)}


def run(sizes, seeds, actors, time_limit):
    base = tempfile.mkdtemp(prefix="prodsight-bench-propose-")
    app = create_app({"TESTING": True, "DATA_DIR": base + "/data", "UPLOAD_DIR": base + "/uploads",
                      "SECRET_KEY": "b" * 40, "JWT_SECRET_KEY": "b" * 40, "AUTO_SEED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        demo.seed_if_empty()
    client = app.test_client()
    login = client.post("/api/auth/login", json={"username": "producer", "password": app.config["DEMO_PASSWORD"]})
    headers = {"Authorization": "Bearer " + login.get_json()["data"]["access_token"]}
    for scenes in sizes:
        for seed in range(seeds):
            found, rates = script(seed, scenes, actors)
            assert client.put("/api/script", json={"scenes": found}, headers=headers).status_code == 200
            for name, rate in rates.items():
                if any(name in scene["characters"] for scene in found):
                    client.put(f"/api/schedule/cast/{name}", json={"dailyRate": rate}, headers=headers)
            answer = client.post("/api/schedule/propose", json={"timeLimitSeconds": time_limit}, headers=headers)
            data = answer.get_json()["data"]
            total, lower = data["cost"]["total"], data["lowerBound"]
            print(json.dumps({"scenes": scenes, "seed": seed, "limit": time_limit, "total": total, "cast": data["cost"]["cast"],
                              "moves": data["cost"]["moves"], "dayNight": data["cost"]["dayNight"], "days": len(data["days"]),
                              "lowerBound": lower, "gap": None if lower is None else round((total - lower) / total, 4),
                              "optimal": data["optimal"], "seconds": data["seconds"]}), flush=True)
