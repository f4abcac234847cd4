"""The breakdown of a feature-length screenplay: a 300-page Fountain text read, laid out as printed
and measured in eighths, in the service and through ``POST /api/script/breakdown`` (Flask's test
client, no server). Prints the best and median of several runs; asserts nothing about time.

    .venv/bin/python -m bench --breakdown [--pages 300] [--runs 7]
    .venv/bin/python -m bench --breakdown --file Big-Fish.fountain [--file ...]   # pages of real scripts
"""
import statistics
import tempfile
import time

from services import fountain

SPEAKERS = ("MARA", "OLSEN", "CAPTAIN REYES", "COURIER", "HANS (on the radio)", "JUMP LEADER")
TIMES = ("NIGHT", "DAY", "LATER THAT NIGHT", "CONTINUOUS", "THE NEXT MORNING")


def screenplay(pages):
    """A screenplay of about ``pages`` printed pages, written as real ones are: headings, action
    paragraphs of several lengths, speeches with parentheticals, dual dialogue and transitions."""
    parts = ["Title: Benchmark Feature\nAuthor: Bench\n\nFADE IN:\n"]
    scene = 0
    while True:
        scene += 1
        separator = ", " if scene % 3 == 0 else " - "
        parts.append(f"INT. LOCATION {scene % 40}{separator}{TIMES[scene % len(TIMES)]} #{scene}#\n")
        for beat in range(3):
            parts.append(" ".join(["The harbour lights flicker as the ship turns."] * (1 + (scene + beat) % 4)) + "\n")
            speaker = SPEAKERS[(scene + beat) % len(SPEAKERS)]
            aside = "(quietly)\n" if beat == 1 else ""
            parts.append(f"{speaker}\n{aside}" + " ".join(["Nobody declared it, so nobody lost it."] * (1 + beat)) + "\n")
        if scene % 5 == 0:
            parts.append("BRICK\nScrew retirement.\n\nSTEEL ^\nScrew retirement.\n")
        parts.append("CUT TO:\n")
        if scene % 10 == 0 and fountain.pages("\n".join(parts)) >= pages:
            return "\n".join(parts)


def timed(action, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def report(args):
    if args.file:
        for path in args.file:
            with open(path, encoding="utf-8-sig") as handle:
                parsed = fountain.breakdown(handle.read())
            eighths = sum(scene["page_eighths"] for scene in parsed["scenes"])
            print(f"{path}: {parsed['pages']} pages, {len(parsed['scenes'])} scenes, "
                  f"scenes' eighths add up to {eighths // 8} {eighths % 8}/8 pages")
        return
    text = screenplay(args.pages)
    parsed = fountain.breakdown(text)
    print(f"\nBreakdown of a {parsed['pages']}-page screenplay ({len(parsed['scenes'])} scenes, "
          f"{len(text) / 1e3:.0f} KB, {text.count(chr(10)):,} source lines)")
    best, median = timed(lambda: fountain.breakdown(text), args.runs)
    print(f"{'services.fountain.breakdown':<44}best {best * 1000:7.1f} ms   median {median * 1000:7.1f} ms")
    best, median = _through_the_api(text, args.runs)
    print(f"{'POST /api/script/breakdown (test client)':<44}best {best * 1000:7.1f} ms   median {median * 1000:7.1f} ms")


def _through_the_api(text, runs):
    from app import create_app
    from services import users

    secret = "bench-secret-key-that-is-long-enough-0123456789"
    with tempfile.TemporaryDirectory(prefix="prodsight-bench-breakdown-") as work:
        app = create_app({"TESTING": True, "DATA_DIR": f"{work}/data", "UPLOAD_DIR": f"{work}/uploads",
                          "SECRET_KEY": secret, "JWT_SECRET_KEY": secret, "AUTO_SEED": False,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        with app.app_context():
            users.create_user({"username": "producer", "name": "Producer", "email": "p@example.com",
                               "role": "Producer", "password": "benchmark-password"}, schema=users.DEMO_SCHEMA)
        client = app.test_client()
        login = client.post("/api/auth/login", json={"username": "producer", "password": "benchmark-password"})
        headers = {"Authorization": "Bearer " + login.get_json()["data"]["access_token"]}

        def post():
            response = client.post("/api/script/breakdown", json={"text": text}, headers=headers)
            assert response.status_code == 200, response.get_json()

        return timed(post, runs)
