"""The storage guarantees of SPEC §5, written once against ``utils.storage.interface`` and run
against every backend (``backends.BACKENDS``). Multi-process tests start plain ``python -c``
children, each with its own ``Storage`` on the same location, as gunicorn workers would have."""
import os
import signal
import subprocess
import sys
import time

import pytest

from utils.storage import EventLog, RecordSet, Storage, Transaction
from utils.storage.interface import Entries, new_entries


def register(storage):
    storage.register("tasks")
    storage.register("shots")
    storage.register("settings", lambda: {"currency": "USD"})
    return storage


def test_the_backend_implements_the_interface(storage):
    register(storage)
    assert isinstance(storage, Storage)
    assert isinstance(storage.log("events"), EventLog)
    with storage.transaction("tasks") as transaction:
        assert isinstance(transaction, Transaction)
        assert isinstance(transaction.records("tasks"), RecordSet)
    storage.register("revoked", new_entries)
    with storage.transaction("revoked") as transaction:
        assert isinstance(transaction.entries("revoked"), Entries)


def test_inserts_get_fresh_string_ids_and_reads_see_each_commit(storage):
    register(storage)
    assert list(storage.scan("tasks")) == [] and storage.version("tasks") == 0 and not storage.exists("tasks")
    with storage.transaction("tasks") as transaction:
        tasks = transaction.records("tasks")
        assert tasks.next_id() == "1"
        first, second = tasks.insert({"title": "a"}), tasks.insert({"title": "b"})
    assert (first, second) == ({"id": "1", "title": "a"}, {"id": "2", "title": "b"})
    first = storage.version("tasks")
    assert storage.exists("tasks") and first > 0
    assert storage.get("tasks", "2") == {"id": "2", "title": "b"} and storage.get("tasks", "3") is None
    assert storage.has("tasks", "1") and not storage.has("tasks", "3")
    assert [task["id"] for task in storage.scan("tasks")] == ["1", "2"]

    with storage.transaction("tasks") as transaction:
        transaction.records("tasks").get("1")["title"] = "changed in place"
        transaction.records("tasks").update("2", {"status": "done"})
    assert storage.get("tasks", "1")["title"] == "changed in place"
    assert storage.get("tasks", "2") == {"id": "2", "title": "b", "status": "done"}
    assert storage.version("tasks") == first + 1


def test_ids_are_never_reused_after_a_delete(storage):
    register(storage)
    with storage.transaction("tasks") as transaction:
        for title in "abc":
            transaction.records("tasks").insert({"title": title})
    with storage.transaction("tasks") as transaction:
        assert transaction.records("tasks").delete("3") == {"id": "3", "title": "c"}
        assert transaction.records("tasks").delete("9") is None
    with storage.transaction("tasks") as transaction:
        assert transaction.records("tasks").insert({"title": "d"})["id"] == "4"
    assert [task["id"] for task in storage.scan("tasks")] == ["1", "2", "4"]


def test_a_block_that_raises_leaves_no_trace_in_any_name(storage):
    register(storage)
    with storage.transaction("tasks", "settings") as transaction:
        transaction.records("tasks").insert({"title": "kept"})
    versions = storage.version("tasks"), storage.version("settings")

    with pytest.raises(RuntimeError):
        with storage.transaction("tasks", "shots", "settings") as transaction:
            transaction.records("tasks").get("1")["title"] = "lost"
            transaction.records("tasks").insert({"title": "lost"})
            transaction.records("shots").insert({"shotName": "lost"})
            transaction.document("settings")["currency"] = "EUR"
            raise RuntimeError("the block fails")
    assert list(storage.scan("tasks")) == [{"id": "1", "title": "kept"}]
    assert list(storage.scan("shots")) == [] and storage.document("settings") == {"currency": "USD"}
    assert (storage.version("tasks"), storage.version("settings")) == versions


def test_one_transaction_writes_several_names_and_reports_what_changed(storage):
    register(storage)
    with storage.transaction("tasks") as transaction:
        transaction.records("tasks").insert({"title": "a"})
        transaction.records("tasks").insert({"title": "b"})
    with storage.transaction("tasks", "shots", "settings") as transaction:
        tasks = transaction.records("tasks")
        tasks.get("1")  # looked at, not changed
        tasks.update("2", {"title": "B"})
        tasks.insert({"title": "c"})
        transaction.records("shots").insert({"shotName": "SH010", "taskId": "3"})
        transaction.document("settings")["currency"] = "EUR"
    changes = storage.last_changes()
    assert (changes["tasks"].added, changes["tasks"].changed, changes["tasks"].removed) == (("3",), ("2",), ())
    assert changes["shots"].added == ("1",) and changes["settings"].other
    assert storage.get("shots", "1")["taskId"] == "3" and storage.document("settings") == {"currency": "EUR"}
    with pytest.raises(KeyError):
        with storage.transaction("tasks") as transaction:
            transaction.records("shots")  # not one of the listed names


def test_documents_read_their_default_until_written_and_versions_grow(storage):
    register(storage)
    assert storage.document("settings") == {"currency": "USD"} and storage.version("settings") == 0
    versions = []
    for currency in ["EUR", "GBP", "JPY"]:
        with storage.transaction("settings") as transaction:
            transaction.replace("settings", {"currency": currency, "startDate": None})
        assert storage.document("settings") == {"currency": currency, "startDate": None}
        versions.append(storage.version("settings"))
    assert 0 < versions[0] < versions[1] < versions[2]
    with storage.transaction("settings") as transaction:
        transaction.document("settings")  # unchanged: nothing written
    assert storage.version("settings") == versions[2]


def test_keyed_entries_are_read_by_key_written_one_at_a_time_and_pruned(backend):
    storage = backend.open()
    storage.register("revoked", new_entries)
    assert storage.entry("revoked", "a") is None and not storage.exists("revoked")
    with storage.transaction("revoked") as transaction:
        entries = transaction.entries("revoked")
        entries.put("a", {"expires": 100, "type": "access"})
        entries.put("b", {"expires": 300})
        assert entries.get("a") == {"expires": 100, "type": "access"}  # its own writes, before commit
    first = storage.version("revoked")
    assert storage.exists("revoked") and first > 0
    assert storage.entry("revoked", "a") == {"expires": 100, "type": "access"}
    other = backend.open()  # another process: sees the committed entries
    other.register("revoked", new_entries)
    assert other.entry("revoked", "b") == {"expires": 300}

    with storage.transaction("revoked") as transaction:
        entries = transaction.entries("revoked")
        entries.prune(200)  # "a" expired at 100
        assert entries.get("a") is None and entries.get("b") == {"expires": 300}
        entries.put("b", {"expires": 400, "next": 2})
        entries.delete("missing")
    assert storage.entry("revoked", "a") is None and storage.entry("revoked", "b") == {"expires": 400, "next": 2}
    assert other.entry("revoked", "a") is None and other.entry("revoked", "b") == {"expires": 400, "next": 2}
    assert storage.version("revoked") > first

    with pytest.raises(RuntimeError), storage.transaction("revoked") as transaction:
        transaction.entries("revoked").delete("b")
        raise RuntimeError("the block fails: nothing of it is written")
    assert storage.entry("revoked", "b") == {"expires": 400, "next": 2}
    with storage.transaction("revoked") as transaction:
        transaction.entries("revoked").delete("b")
    assert storage.entry("revoked", "b") is None and other.entry("revoked", "b") is None


def test_a_name_made_again_from_scratch_is_never_mistaken_for_its_earlier_self(backend):
    """A reader that cached version N of a collection must not trust a new collection of that name
    (its file deleted by hand, say) once the new one reaches N too."""
    writer, reader = register(backend.open()), register(backend.open())
    for title in ("a", "b"):
        with writer.transaction("tasks") as transaction:
            transaction.records("tasks").insert({"title": title})
    assert [task["title"] for task in reader.scan("tasks")] == ["a", "b"]
    old = reader.version("tasks")
    if backend.name == "files":
        os.remove(os.path.join(backend.location, "tasks.json"))
    else:
        pytest.skip("only the file backend loses a name's data by hand")
    for title in ("c", "d"):
        with writer.transaction("tasks") as transaction:
            transaction.records("tasks").insert({"title": title})
    assert [task["title"] for task in reader.scan("tasks")] == ["c", "d"]
    assert reader.version("tasks") != old


def test_another_instance_sees_every_commit(backend):
    writer, reader = register(backend.open()), register(backend.open())
    for title in ("a", "b", "c"):
        assert reader.version("tasks") == writer.version("tasks")
        with writer.transaction("tasks") as transaction:
            transaction.records("tasks").insert({"title": title})
        assert [task["title"] for task in reader.scan("tasks")][-1] == title


# -- several processes -------------------------------------------------------------------------
BARRIER = """
print("ready", flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.001)
"""

INCREMENTS = """
import threading
storage.register("counters")
storage.register("tallies")
def work():
    for _ in range(int(sys.argv[3])):
        with storage.transaction("counters", "tallies") as transaction:
            counter = transaction.records("counters").get("1")
            value = counter["value"]
            time.sleep(0)  # yield mid-cycle: a lost update needs only this window
            counter["value"] = value + 1
            tally = transaction.records("tallies").get("1")
            tally["value"] -= 1  # the two move together, or not at all
        with storage.transaction("counters") as transaction:
            transaction.records("counters").insert({"by": os.getpid()})  # ids: one each
threads = [threading.Thread(target=work) for _ in range(int(sys.argv[4]))]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""


def run_children(backend, script, processes, *args, tmp_path):
    go = tmp_path / "go"
    children = [subprocess.Popen([sys.executable, "-c", backend.child_prelude + BARRIER + script,
                                  backend.location, str(go), *map(str, args)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(processes)]
    for child in children:
        assert child.stdout.readline() == "ready\n", child.stderr.read()
    go.touch()
    outputs = []
    for child in children:
        stdout, stderr = child.communicate(timeout=120)
        assert child.returncode == 0, stderr
        outputs.append(stdout.split())
    return outputs


def test_processes_times_threads_lose_no_update_and_share_no_id(backend, tmp_path):
    storage = backend.open()
    storage.register("counters")
    storage.register("tallies")
    with storage.transaction("counters", "tallies") as transaction:
        transaction.records("counters").insert({"value": 0})
        transaction.records("tallies").insert({"value": 0})

    run_children(backend, INCREMENTS, 3, 20, 2, tmp_path=tmp_path)  # 3 processes x 2 threads x 20

    counters = list(storage.scan("counters"))
    assert counters[0]["value"] == 120 and storage.get("tallies", "1")["value"] == -120
    ids = [counter["id"] for counter in counters]
    assert len(ids) == len(set(ids)) == 121 and ids == [str(n) for n in range(1, 122)]


APPENDS = """
log = storage.log("events")
for n in range(int(sys.argv[3])):
    event = log.append(lambda event_id, last_at: {"id": event_id, "at": last_at or "", "pid": os.getpid(), "n": n})
    print(event["id"], flush=True)
"""


def test_the_event_log_is_append_only_with_ids_increasing_across_processes(backend, tmp_path):
    outputs = run_children(backend, APPENDS, 3, 30, tmp_path=tmp_path)
    log = backend.open().log("events")
    newest_first = list(log.newest_first())
    ids = [event["id"] for event in reversed(newest_first)]
    assert len(ids) == 90 and ids == sorted(ids) and len(set(ids)) == 90
    assert [int(event_id) for event_id in ids] == list(range(1, 91))  # dense, as numbers and as strings
    assert sorted(event_id for lines in outputs for event_id in lines) == ids  # every acknowledged one
    for lines in outputs:  # each process saw its own appends in increasing order
        assert lines == sorted(lines)
    assert log.last() == newest_first[0]
    assert log.repair() is False and log.damaged_lines() == []


WRITER = """
storage.register("journal")
n = 0
while True:
    n += 1
    with storage.transaction("journal") as transaction:
        transaction.records("journal").insert({"n": n, "padding": "x" * (n % 50) * 1000})
    print(n, flush=True)
"""


def test_kill_9_mid_write_keeps_every_acknowledged_write(backend, tmp_path):
    acknowledged = 0
    for round_ in range(4):
        child = subprocess.Popen([sys.executable, "-c", backend.child_prelude + WRITER, backend.location],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen = 0
        deadline = time.monotonic() + 30
        while seen < 15 + round_ * 7 and time.monotonic() < deadline:  # kill at a different moment each time
            line = child.stdout.readline()
            assert line, child.stderr.read()
            seen += 1
        os.kill(child.pid, signal.SIGKILL)
        child.communicate()  # reaps it and closes its pipes
        acknowledged += seen
        storage = backend.open()
        storage.register("journal")
        numbers = [record["n"] for record in storage.scan("journal")]
        assert len(numbers) >= acknowledged  # nothing acknowledged is lost...
        acknowledged = len(numbers)  # ...and a write done but not yet reported counts from now on
        ids = [int(record["id"]) for record in storage.scan("journal")]
        assert ids == sorted(set(ids))
