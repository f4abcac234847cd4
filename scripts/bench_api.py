"""Benchmark of whole requests (not a test): list, read, create and update tasks through the app.

Run from the repo root: ``.venv/bin/python scripts/bench_api.py [TASKS]`` (default 1,000 tasks).
It builds the app on a temporary data directory with the Flask test client, so the figures are
the app's own cost (routing, auth, store, JSON) without a network or a WSGI server.
"""
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from app import create_app  # noqa: E402
from services import tasks, users  # noqa: E402


def timed(action, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = action()
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code < 300, response.get_json()
    samples.sort()
    return f"median {statistics.median(samples):8.2f} ms   p95 {samples[int(len(samples) * 0.95) - 1]:8.2f} ms   (n={repeat})"


def main(count):
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app({"DATA_DIR": data_dir, "AUTO_SEED": False, "SECRET_KEY": "b" * 40, "JWT_SECRET_KEY": "b" * 40})
        with app.app_context():
            producer = users.create_user({"username": "producer", "name": "P", "email": "p@example.com",
                                          "role": "Producer", "password": "benchmark-password"})
            for n in range(count):
                tasks.create_task({"title": f"Task {n}", "category": "Bench", "assigneeId": producer["id"]}, producer)
        client = app.test_client()
        token = client.post("/api/auth/login", json={"username": "producer", "password": "benchmark-password"})
        headers = {"Authorization": "Bearer " + token.get_json()["data"]["access_token"]}
        print(f"{count:,} tasks")
        print(f"  GET /api/tasks (all)              {timed(lambda: client.get('/api/tasks', headers=headers), 20)}")
        print(f"  GET /api/tasks?page=1&per_page=50 {timed(lambda: client.get('/api/tasks?page=1&per_page=50&sort=-title', headers=headers), 50)}")
        print(f"  GET /api/tasks/1                  {timed(lambda: client.get('/api/tasks/1', headers=headers), 200)}")
        print(f"  POST /api/tasks                   {timed(lambda: client.post('/api/tasks', json={'title': 'New'}, headers=headers), 50)}")
        print(f"  PUT /api/tasks/1                  {timed(lambda: client.put('/api/tasks/1', json={'status': 'done'}, headers=headers), 50)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
