"""The store under gunicorn's gevent worker (utils/durable.py): a contended lock never blocks the
worker's other greenlets, and greenlets of several processes writing at once lose no update.

Each case runs in a fresh Python that gevent has patched, as the worker is, so this test process
itself is never monkey-patched. A deadlock shows as a child that does not finish in time.
"""
import json
import subprocess
import sys
import textwrap

import pytest

from bench.server import ROOT

pytest.importorskip("gevent")

PRELUDE = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import json, sys
    import gevent
    sys.path.insert(0, sys.argv[1])
    from utils.store import Store
    store = Store(sys.argv[2])
""")


def run_patched(body, data_dir, count=1):
    """Start ``count`` patched children running ``body`` at once; return each one's JSON output."""
    children = [subprocess.Popen([sys.executable, "-c", PRELUDE + textwrap.dedent(body), ROOT, str(data_dir)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(count)]
    outputs = []
    for child in children:
        try:
            out, err = child.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            for each in children:
                each.kill()
                each.communicate()
            pytest.fail("a patched child did not finish: the store deadlocked under gevent")
        assert child.returncode == 0, err.decode()
        outputs.append(json.loads(out))
    return outputs


def test_a_greenlet_waiting_for_a_lock_held_by_another_greenlet_of_its_process_lets_the_others_run(tmp_path):
    [seen] = run_patched("""
        seen = []
        def holder():
            with store.lock("tasks"):
                seen.append("holder has it")
                gevent.sleep(0.2)  # yields while holding the lock
            seen.append("holder let go")
        def waiter():
            with store.lock("tasks"):  # a blocking flock here would stop the holder from ever waking
                seen.append("waiter has it")
        def ticker():
            for tick in range(3):
                seen.append(tick)
                gevent.sleep(0.01)
        first = gevent.spawn(holder)
        gevent.sleep(0)  # the holder takes the lock before the others start
        gevent.joinall([first, gevent.spawn(waiter), gevent.spawn(ticker)], raise_error=True)
        print(json.dumps(seen))
    """, tmp_path)
    assert seen == ["holder has it", 0, 1, 2, "holder let go", "waiter has it"]


def test_greenlets_of_three_processes_incrementing_one_counter_lose_no_update(tmp_path):
    outputs = run_patched("""
        store.register("counter", lambda: {"value": 0})
        def bump():
            for _ in range(10):
                with store.edit("counter") as counter:
                    value = counter["value"]
                    gevent.sleep(0)  # let the other greenlets in between the read and the write
                    counter["value"] = value + 1
        gevent.joinall([gevent.spawn(bump) for _ in range(10)], raise_error=True)
        print(json.dumps(store.read("counter")["value"]))
    """, tmp_path, count=3)
    assert max(outputs) == 3 * 10 * 10  # the last process to finish sees every increment
    with open(tmp_path / "counter.json") as handle:
        assert json.load(handle)["value"] == 300


def test_a_password_hash_lets_the_other_greenlets_of_the_worker_run(tmp_path):
    [ticks] = run_patched("""
        from werkzeug.security import check_password_hash, generate_password_hash
        from utils.durable import off_the_loop
        stored = generate_password_hash("a password", method="scrypt")
        ticks = []
        def ticker():
            while True:
                ticks.append(1)
                gevent.sleep(0.001)
        gevent.spawn(ticker)  # runs only when the hub is free
        assert off_the_loop(check_password_hash, stored, "another") is False
        print(json.dumps(len(ticks)))
    """, tmp_path)
    assert ticks > 0  # a hash on the hub's own thread would leave 0
