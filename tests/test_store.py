"""The store's guarantees (SPEC §5), checked with real processes where the guarantee is about them.

Child processes are plain ``python -c`` subprocesses running a small script against the same data
directory, so each one has its own Store, its own cache and its own file locks, as a gunicorn
worker would. They report through stdout, one line per acknowledged write.
"""
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import utils.storage.journal as journal_module
from utils.store import Store, StoreCorruptError, insert_record, new_collection

ROOT = Path(__file__).resolve().parents[1]

# Every child starts with this: the repo on sys.path, and a Store on the data dir in argv[1].
PRELUDE = f"""
import os, sys, time
sys.path.insert(0, {str(ROOT)!r})
from utils.store import Store, insert_record, new_collection
store = Store(sys.argv[1])
"""

# Wait until the parent says go, so that all children really run at the same time.
BARRIER = """
print("ready", flush=True)
while not os.path.exists(os.path.join(sys.argv[1], "go")):
    time.sleep(0.001)
"""

INCREMENTER = PRELUDE + BARRIER + """
store.register("counter", lambda: {"value": 0})
for _ in range(int(sys.argv[2])):
    with store.edit("counter") as doc:
        value = doc["value"]
        time.sleep(0)  # yield the CPU mid-cycle: a lost update needs only this window
        doc["value"] = value + 1
"""

INSERTER = PRELUDE + BARRIER + """
store.register("tasks", new_collection)
for i in range(int(sys.argv[2])):
    with store.edit("tasks") as doc:
        record = insert_record(doc, {"title": f"pid {os.getpid()} #{i}"})
    print(record["id"], flush=True)
"""

# Appends 1, 2, 3... (continuing from the file), printing each value once its transaction returned,
# that is once the write is acknowledged. The padding varies so the file size changes each time.
# After argv[3] acknowledged writes it stops at step argv[2] of the next one, says "paused" and
# waits there to be killed: "written" (temp file written, not fsynced), "fsynced" (not renamed),
# "renamed" (directory not fsynced) or "acknowledged" (between two writes).
APPENDER = PRELUDE + """
import random
step, writes_before = sys.argv[2], int(sys.argv[3])
random.seed(writes_before)
done = 0

def pause():
    print("paused", flush=True)
    time.sleep(600)  # killed long before

def stop_at(name, module, attribute):
    real = getattr(module, attribute)
    def hooked(*args, **kwargs):
        if step == name and done == writes_before:
            pause()
        return real(*args, **kwargs)
    setattr(module, attribute, hooked)

import utils.storage.durability as durability_module
import utils.storage.files as files_module
stop_at("written", durability_module, "fsync")  # the temp file written and flushed, not yet fsynced
stop_at("fsynced", os, "replace")
stop_at("renamed", files_module, "fsync_dir")
store.register("log", lambda: {"values": [], "padding": ""})
while True:
    with store.edit("log") as doc:
        value = doc["values"][-1] + 1 if doc["values"] else 1
        doc["values"].append(value)
        doc["padding"] = "x" * random.randrange(100_000, 300_000)
    print(value, flush=True)
    done += 1
    if step == "acknowledged" and done == writes_before + 1:
        pause()
"""

# Rewrites a large document whose parts must agree with each other; a torn read would break that.
BIG_WRITER = PRELUDE + """
store.register("big", dict)
deadline = time.monotonic() + float(sys.argv[2])
n = 0
while time.monotonic() < deadline:
    n += 1
    size = 2_000 + (n % 7) * 1_500  # sizes differ from one version to the next
    with store.edit("big") as doc:
        doc.clear()
        doc.update(n=n, items=[f"record {n}-{i}" for i in range(size)], size=size, check=n)
print(n, flush=True)
"""


def spawn(script, data_dir, *args):
    return subprocess.Popen(
        [sys.executable, "-c", script, str(data_dir), *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def run_together(script, data_dir, processes, *args):
    """Start the children, release them at once, and return the stdout lines of each."""
    children = [spawn(script, data_dir, *args) for _ in range(processes)]
    for child in children:
        assert child.stdout.readline() == "ready\n", child.stderr.read()
    (Path(data_dir) / "go").touch()
    outputs = []
    for child in children:
        stdout, stderr = child.communicate(timeout=60)
        assert child.returncode == 0, stderr
        outputs.append(stdout.split())
    return outputs


def temp_files(data_dir):
    return sorted(entry.name for entry in Path(data_dir).iterdir() if entry.name.endswith(".tmp"))


def collection_store(data_dir, name="users"):
    store = Store(data_dir)
    store.register(name, new_collection)
    return store


# -- no lost update across processes ------------------------------------------------------------
def test_increments_from_four_processes_lose_no_update(tmp_path):
    run_together(INCREMENTER, tmp_path, 4, 50)

    store = Store(tmp_path)
    store.register("counter", lambda: {"value": 0})
    assert store.read("counter") == {"value": 200}  # 4 processes x 50 increments


def test_inserts_from_four_processes_get_distinct_string_ids(tmp_path):
    outputs = run_together(INSERTER, tmp_path, 4, 25)

    acknowledged = [record_id for lines in outputs for record_id in lines]
    assert len(acknowledged) == 100  # 4 processes x 25 inserts
    assert len(set(acknowledged)) == 100
    document = collection_store(tmp_path, "tasks").read("tasks")
    assert document["seq"] == 100
    assert sorted(document["items"], key=int) == [str(n) for n in range(1, 101)]
    assert all(isinstance(record["id"], str) and record["id"] == key for key, record in document["items"].items())


# -- crash safety -------------------------------------------------------------------------------
def test_kill_9_at_each_step_of_a_write_keeps_the_file_parseable_and_acknowledged_writes(tmp_path):
    """The writer is killed where it says it stopped, at every step of a write in turn, so each
    round is the same on any machine: no kill can miss the window it is meant for."""
    rng = random.Random(20)  # how many writes each round acknowledges first
    acknowledged, in_flight_kept = [], {}
    for round_number, step in enumerate(["written", "fsynced", "renamed", "acknowledged"] * 3):
        writer = spawn(APPENDER, tmp_path, step, rng.randrange(0, 4))
        lines = []
        for line in writer.stdout:
            if line == "paused\n":
                break
            lines.append(int(line))
        else:
            pytest.fail(f"the writer never paused at {step}: {writer.stderr.read()}")
        writer.kill()  # SIGKILL
        writer.wait()
        writer.stdout.close()
        writer.stderr.close()
        acknowledged += lines

        fresh = Store(tmp_path)  # no cache: what a restarted worker would see
        fresh.register("log", dict)
        values = fresh.read("log")["values"]  # raises if the file does not parse
        context = f"round {round_number}, killed at {step}"
        assert values == list(range(1, len(values) + 1)), context
        assert set(acknowledged) <= set(values), context
        # the write in flight is there once renamed, and not before
        in_flight_kept[round_number] = len(values) > len(acknowledged)
        acknowledged = values  # the next writer continues from the file
        if step in ("written", "fsynced"):
            assert temp_files(tmp_path), context  # left behind by the interrupted write

    assert in_flight_kept == {number: step == "renamed"
                              for number, step in enumerate(["written", "fsynced", "renamed", "acknowledged"] * 3)}
    leftovers = temp_files(tmp_path)
    assert len(leftovers) == 6 and all(name.startswith(".log.json.") for name in leftovers)
    removed = Store(tmp_path).remove_temp_files()
    assert removed == leftovers
    assert temp_files(tmp_path) == []


def test_remove_temp_files_removes_leftover_temp_files_and_nothing_else(tmp_path):
    keep = ["users.json", ".secrets.json", "notes.tmp", ".users.json.bak", ".users.json"]
    for name in keep:
        (tmp_path / name).write_text("{}")
    leftovers = [".users.json.k3j2_9x.tmp", ".tasks.json.abc123.tmp"]
    for name in leftovers:
        (tmp_path / name).write_text('{"seq": 1, "items": {')  # half a document

    removed = Store(tmp_path).remove_temp_files()

    assert sorted(removed) == sorted(leftovers)
    remaining = sorted(entry.name for entry in tmp_path.iterdir() if entry.is_file())
    assert remaining == sorted(keep)
    assert (tmp_path / "users.json").read_text() == "{}"


def test_write_that_fails_to_serialise_leaves_file_and_no_temp_file(tmp_path):
    store = collection_store(tmp_path)
    with store.edit("users") as users:
        insert_record(users, {"name": "Ana"})
    before = (tmp_path / "users.json").read_bytes()

    with pytest.raises(TypeError):
        with store.edit("users") as users:
            users["items"]["1"]["joined"] = object()  # not JSON

    assert (tmp_path / "users.json").read_bytes() == before
    assert temp_files(tmp_path) == []


# -- corrupt files ------------------------------------------------------------------------------
@pytest.mark.parametrize("content", [b'{"seq": 1, "items": {', b"[]", b"", b"\xff\xfe not utf-8"])
def test_corrupt_file_raises_naming_it_and_is_never_overwritten(tmp_path, content):
    (tmp_path / "users.json").write_bytes(content)
    store = collection_store(tmp_path)

    with pytest.raises(StoreCorruptError, match=r"users\.json") as on_read:
        store.read("users")
    assert on_read.value.filename == "users.json"

    with pytest.raises(StoreCorruptError, match=r"users\.json") as on_write:
        with store.edit("users") as users:
            insert_record(users, {"name": "Ana"})
    assert on_write.value.filename == "users.json"

    assert (tmp_path / "users.json").read_bytes() == content
    assert temp_files(tmp_path) == []
    assert list(store.broken_files()) == ["users.json"]
    assert "users.json" in store.broken_files()["users.json"]


def test_broken_files_names_only_the_broken_one(tmp_path):
    (tmp_path / "users.json").write_text('{"seq": 0, "items": {}}')
    (tmp_path / "tasks.json").write_text('{"seq": 3, "items": ')
    store = collection_store(tmp_path)
    store.register("tasks", new_collection)
    store.register("budget", dict)  # missing: not broken

    assert list(store.broken_files()) == ["tasks.json"]


def test_file_that_turns_corrupt_after_being_cached_is_reported(tmp_path):
    store = collection_store(tmp_path)
    with store.edit("users") as users:
        insert_record(users, {"name": "Ana"})
    store.read("users")  # cached

    (tmp_path / "users.json").write_text('{"seq": 1, "items": {')

    with pytest.raises(StoreCorruptError, match=r"users\.json"):
        store.read("users")


# -- cache, rollback, ids -----------------------------------------------------------------------
def test_second_store_sees_writes_of_the_first(tmp_path):
    first, second = collection_store(tmp_path), collection_store(tmp_path)
    assert second.read("users") == {"seq": 0, "items": {}}  # nothing written yet

    with first.edit("users") as users:
        insert_record(users, {"name": "Ana"})
    assert second.read("users")["items"]["1"]["name"] == "Ana"

    with second.edit("users") as users:
        users["items"]["1"]["name"] = "Bea"
    assert first.read("users")["items"]["1"]["name"] == "Bea"


def count_parses(monkeypatch):
    """A list that grows by one each time any Store parses a whole file."""
    parses, parse = [], Store._parse
    monkeypatch.setattr(Store, "_parse", lambda self, name, *rest: parses.append(name) or parse(self, name, *rest))
    return parses


def test_read_of_an_unchanged_file_shares_one_snapshot_and_never_reparses(tmp_path, monkeypatch):
    writer, reader = collection_store(tmp_path), collection_store(tmp_path)
    with writer.edit("users") as users:
        insert_record(users, {"name": "Ana"})
    parses = count_parses(monkeypatch)

    first = reader.read("users")
    assert reader.read("users") is first
    assert reader.read("users") is first
    assert parses == ["users"]
    assert writer.read("users") == first and parses == ["users"]  # the writer kept what it wrote


def test_another_process_write_is_applied_from_the_journal_without_a_parse(tmp_path, monkeypatch):
    writer, reader = collection_store(tmp_path), collection_store(tmp_path)
    with writer.edit("users") as users:
        for name in ("Ana", "Bea", "Cy"):
            insert_record(users, {"name": name})
    first = reader.read("users")
    parses = count_parses(monkeypatch)

    with writer.edit("users") as users:
        insert_record(users, {"name": "Dee"})
    with writer.edit("users") as users:
        users["items"]["1"]["name"] = "Ana B."
        del users["items"]["2"]

    changed = reader.read("users")
    assert parses == []
    assert changed == {"seq": 4, "items": {"1": {"id": "1", "name": "Ana B."}, "3": {"id": "3", "name": "Cy"},
                                           "4": {"id": "4", "name": "Dee"}}}
    assert list(changed["items"]) == ["1", "3", "4"]  # the file's order, as a parse would give
    assert changed == on_disk(tmp_path / "users.json")
    assert first["items"]["1"]["name"] == "Ana" and "2" in first["items"]  # the old snapshot untouched
    assert changed["items"]["3"] is first["items"]["3"]  # untouched records are shared


def test_without_a_usable_journal_a_changed_file_is_parsed(tmp_path, monkeypatch):
    writer, reader = collection_store(tmp_path), collection_store(tmp_path)
    with writer.edit("users") as users:
        insert_record(users, {"name": "Ana"})
    reader.read("users")
    parses = count_parses(monkeypatch)
    with writer.edit("users") as users:
        insert_record(users, {"name": "Bea"})
    journal = tmp_path / ".locks" / "users.journal"
    journal.write_bytes(b'{"from":[1,2,3,4],"to"')  # torn, and leading nowhere

    assert sorted(reader.read("users")["items"]) == ["1", "2"]
    assert parses == ["users"]


def test_same_sized_writes_under_frozen_timestamps_are_seen_by_a_caching_reader(tmp_path, monkeypatch):
    """A file system whose mtimes never change (the old mtime put back after every write): the
    reader learns each new version from the version written in the file, not from a timestamp."""
    monkeypatch.setattr(os, "replace", frozen_replace(os.replace))
    store, reader = Store(tmp_path), Store(tmp_path)
    store.register("flag", dict)
    reader.register("flag", dict)

    mtimes, versions = set(), []
    for value in ("a", "b", "c", "d"):  # same size every time
        with store.edit("flag") as flag:
            flag["value"] = value
        mtimes.add(os.stat(tmp_path / "flag.json").st_mtime_ns)
        assert reader.read("flag") == {"value": value}
        assert reader.version("flag") == store.version("flag")
        versions.append(store.version("flag"))
    assert versions == list(range(versions[0], versions[0] + 4))
    assert len(mtimes) == 1


def frozen_replace(real_replace):
    """``os.replace`` on a file system whose timestamps never move: the replaced file keeps the old mtime."""
    def replace(source, target):
        try:
            old = os.stat(target)
        except FileNotFoundError:
            old = None
        real_replace(source, target)
        if old is not None:
            os.utime(target, ns=(old.st_atime_ns, old.st_mtime_ns))
    return replace


FROZEN_INCREMENTER = PRELUDE + BARRIER + """
import threading
real_replace = os.replace
def frozen(source, target):
    old = os.stat(target) if os.path.exists(target) else None
    real_replace(source, target)
    if old is not None:
        os.utime(target, ns=(old.st_atime_ns, old.st_mtime_ns))
os.replace = frozen
store.register("counter", lambda: {"value": 0})
def work():
    for _ in range(int(sys.argv[2])):
        with store.edit("counter") as doc:
            value = doc["value"]
            time.sleep(0)
            doc["value"] = value + 1
        store.read("counter")  # keep a warm cache, the copy a timestamp check would trust
threads = [threading.Thread(target=work) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""


def test_no_update_is_lost_across_processes_when_timestamps_never_change(tmp_path):
    with open(tmp_path / "counter.json", "wb") as handle:  # a first version, so every mtime is frozen
        handle.write(b'{"#version":1,"value":0}')
    os.utime(tmp_path / "counter.json", ns=(10**18, 10**18))
    run_together(FROZEN_INCREMENTER, tmp_path, 4, 25)

    store = Store(tmp_path)
    store.register("counter", lambda: {"value": 0})
    assert store.read("counter") == {"value": 200}  # 4 processes x 2 threads x 25 increments
    assert 1 < store.version("counter") <= 201  # threads of one process may share a write (1: the file made here)
    assert os.stat(tmp_path / "counter.json").st_mtime_ns == 10**18


def on_disk(path):
    """A data file's document as services see it: without the version the store writes with it."""
    document = json.loads(path.read_bytes())
    document.pop("#version", None)
    return document


def test_transaction_whose_block_raises_leaves_the_file_unchanged(tmp_path):
    store = collection_store(tmp_path)
    with store.edit("users") as users:
        insert_record(users, {"name": "Ana"})
    before = (tmp_path / "users.json").read_bytes()

    with pytest.raises(RuntimeError):
        with store.edit("users") as users:
            insert_record(users, {"name": "Bea"})
            users["items"]["1"]["name"] = "changed"
            raise RuntimeError("validation failed halfway")

    assert (tmp_path / "users.json").read_bytes() == before
    assert collection_store(tmp_path).read("users")["items"] == {"1": {"id": "1", "name": "Ana"}}
    assert store.read("users")["items"] == {"1": {"id": "1", "name": "Ana"}}  # cache not polluted
    assert temp_files(tmp_path) == []


def test_ids_are_never_reused_after_deleting_the_newest_record(tmp_path):
    store = collection_store(tmp_path)
    with store.edit("users") as users:
        for name in ("Ana", "Bea", "Cy"):
            insert_record(users, {"name": name})
    with store.edit("users") as users:
        del users["items"]["3"]

    with store.edit("users") as users:
        record = insert_record(users, {"name": "Dee"})

    assert record == {"id": "4", "name": "Dee"}
    assert sorted(collection_store(tmp_path).read("users")["items"]) == ["1", "2", "4"]


def test_missing_file_reads_as_its_default_without_creating_it(tmp_path):
    store = collection_store(tmp_path)
    assert store.read("users") == {"seq": 0, "items": {}}
    assert not store.exists("users")

    with store.edit("users") as users:
        insert_record(users, {"name": "Ana"})
    assert store.exists("users")


# -- no torn reads ------------------------------------------------------------------------------
def test_reader_never_sees_a_half_written_file(tmp_path):
    writer = spawn(BIG_WRITER, tmp_path, 1.5)
    reader = Store(tmp_path)
    reader.register("big", dict)
    versions = set()
    try:
        while writer.poll() is None:
            doc = reader.read("big")  # a torn file raises StoreCorruptError here
            if doc:
                assert doc["n"] == doc["check"]
                assert len(doc["items"]) == doc["size"] == 2_000 + (doc["n"] % 7) * 1_500
                assert doc["items"][-1] == f"record {doc['n']}-{doc['size'] - 1}"
                versions.add(doc["n"])
    finally:
        stdout, stderr = writer.communicate(timeout=30)
    assert writer.returncode == 0, stderr
    assert len(versions) >= 10, f"the reader only overlapped {len(versions)} of {stdout.strip()} writes"


def test_collection_missing_its_items_is_reported_as_broken(tmp_path):
    store = Store(str(tmp_path))
    store.register("users")
    (tmp_path / "users.json").write_text('{"seq": 1}')
    with pytest.raises(StoreCorruptError, match="users.json.*'items'"):
        store.read("users")


# -- copy on access: transactions change their own copy, readers keep the snapshot -----------------
def seeded_store(tmp_path, names=("Ana", "Bea", "Cy")):
    store = collection_store(tmp_path)
    with store.edit("users") as users:
        for name in names:
            insert_record(users, {"name": name, "tags": ["cast"]})
    return store


@pytest.mark.parametrize("mutate", [
    lambda users: users["items"]["1"].update(name="changed"),
    lambda users: users["items"].get("1")["tags"].append("crew"),
    lambda users: [record.update(name="changed") for record in users["items"].values()],
    lambda users: [record["tags"].clear() for _, record in users["items"].items()],
    lambda users: users["items"].pop("2")["tags"].append("gone"),
    lambda users: {**users["items"]}["3"].update(name="changed"),
    lambda users: dict(users["items"])["3"]["tags"].append("x"),
    lambda users: users["items"].clear(),
    lambda users: users.update(seq=99),
], ids=["getitem", "get", "values", "items", "pop", "unpack", "dict", "clear", "top-level"])
def test_mutation_inside_a_transaction_that_raises_leaves_readers_on_the_old_state(tmp_path, mutate):
    store = seeded_store(tmp_path)
    before = store.read("users")
    expected = on_disk(tmp_path / "users.json")

    with pytest.raises(RuntimeError):
        with store.edit("users") as users:
            mutate(users)
            raise RuntimeError("refused halfway")

    assert store.read("users") is before  # the same snapshot, and untouched
    assert before == expected
    assert on_disk(tmp_path / "users.json") == expected
    with store.edit("users") as users:  # the next transaction starts from the old state too
        assert users["items"]["1"] == {"id": "1", "name": "Ana", "tags": ["cast"]}
        assert users["seq"] == 3


def test_a_generic_document_changed_in_a_failed_transaction_leaves_no_trace(tmp_path):
    store = Store(tmp_path)
    store.register("budget", dict)
    with store.edit("budget") as budget:
        budget.update(categories=[{"name": "Camera", "budgeted": 100}], ledger=[])
    before = store.read("budget")

    with pytest.raises(RuntimeError):
        with store.edit("budget") as budget:
            budget["categories"][0]["budgeted"] = 5
            budget["ledger"].append({"amount": 1})
            raise RuntimeError

    assert store.read("budget") is before
    assert before == {"categories": [{"name": "Camera", "budgeted": 100}], "ledger": []}


def test_a_reader_thread_never_sees_a_change_before_it_is_on_disk(tmp_path, monkeypatch):
    """Another thread of the same process reads while the transaction is changing its copy and
    while the new file is being written: it sees the old state until the file holds the new one."""
    store = seeded_store(tmp_path)
    seen = []

    def read_in_another_thread(moment):
        reader = threading.Thread(target=lambda: seen.append((moment, store.read("users")["items"]["1"]["name"])))
        reader.start()
        reader.join()

    real_replace = os.replace

    def replace(source, target):
        read_in_another_thread("fsynced temp file, before the rename")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    with store.edit("users") as users:
        users["items"]["1"]["name"] = "Ana B."
        read_in_another_thread("changed in the working copy")
    read_in_another_thread("after the transaction")

    assert seen == [("changed in the working copy", "Ana"), ("fsynced temp file, before the rename", "Ana"),
                    ("after the transaction", "Ana B.")]


def test_a_record_changed_after_its_transaction_cannot_reach_the_snapshot(tmp_path):
    store = seeded_store(tmp_path)
    with store.edit("users") as users:
        record = users["items"]["1"]
        record["name"] = "Ana B."
        added = insert_record(users, {"name": "Dee", "tags": []})

    record["name"], added["tags"] = "meddled", ["meddled"]  # what a caller might do with a result

    assert store.read("users")["items"]["1"]["name"] == "Ana B."
    assert store.read("users")["items"]["4"]["tags"] == []


def test_a_transaction_knows_which_records_it_added_changed_and_removed(tmp_path):
    store = seeded_store(tmp_path, names=("Ana", "Bea", "Cy", "Dee"))
    before = store.read("users")

    with store.edit("users") as users:
        users["items"]["2"]["name"] = "Bea B."
        assert users["items"]["3"]["name"] == "Cy"  # looked at, not changed
        del users["items"]["4"]
        insert_record(users, {"name": "Eve", "tags": []})

    changes = store.last_changes()["users"]
    assert (changes.added, changes.changed, changes.removed) == (("5",), ("2",), ("4",))
    assert changes.other  # seq went up
    after = store.read("users")
    assert after["items"]["1"] is before["items"]["1"]  # untouched: the very same object
    assert after["items"]["3"] is before["items"]["3"]  # looked at only
    assert after["items"]["2"] is not before["items"]["2"]
    assert before["items"]["2"]["name"] == "Bea" and "4" in before["items"]  # old snapshot intact


def test_a_transaction_that_changes_nothing_writes_nothing(tmp_path):
    store = seeded_store(tmp_path)
    mtime = os.stat(tmp_path / "users.json").st_mtime_ns

    with store.edit("users") as users:
        users["items"]["1"]["name"] = "Ana"  # the value it already has
        list(users["items"].values())

    assert store.last_changes()["users"].empty
    assert os.stat(tmp_path / "users.json").st_mtime_ns == mtime


def test_files_stay_plain_json_with_non_ascii_kept(tmp_path):
    store = collection_store(tmp_path)
    with store.edit("users") as users:
        insert_record(users, {"name": "Zoë Café", "note": "第一場"})

    raw = (tmp_path / "users.json").read_bytes()
    assert "Zoë Café".encode() in raw and "第一場".encode() in raw
    checked = subprocess.run([sys.executable, "-m", "json.tool", str(tmp_path / "users.json")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert raw.startswith(b'{"#version":')  # the version first, so a reader needs only the first bytes
    assert on_disk(tmp_path / "users.json") == {"seq": 1, "items": {"1": {"id": "1", "name": "Zoë Café", "note": "第一場"}}}


# -- group commit: threads of one process share writes ------------------------------------------
def slow_writes(monkeypatch, seconds=0.02, first_waits_for=None):
    """Make each file write take a while (as a big fsync does) and count them. With
    ``first_waits_for``, the first write lasts until that condition holds instead (10 s at most)."""
    writes, replace = [], Store._replace

    def slow(self, name, payload):
        if first_waits_for is not None and not writes:
            deadline = time.monotonic() + 10
            while not first_waits_for() and time.monotonic() < deadline:
                time.sleep(0.001)
        else:
            time.sleep(seconds)
        writes.append(name)
        return replace(self, name, payload)

    monkeypatch.setattr(Store, "_replace", slow)
    return writes


def in_threads(count, work):
    errors = []

    def run(n):
        try:
            work(n)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_threads_inserting_at_once_share_writes_and_lose_nothing(tmp_path, monkeypatch):
    store = collection_store(tmp_path, "tasks")
    arrived, edit = [], store.edit
    monkeypatch.setattr(store, "edit", lambda name: arrived.append(name) or edit(name))
    # the first write lasts until all six threads have asked for a transaction: the five that queue
    # behind it go in together on the next write, whatever the scheduler does
    writes = slow_writes(monkeypatch, first_waits_for=lambda: len(arrived) >= 6)
    acknowledged = []

    def inserter(n):
        for i in range(10):
            with store.edit("tasks") as tasks:
                record = insert_record(tasks, {"title": f"thread {n} #{i}"})
            fresh = collection_store(tmp_path, "tasks")  # no cache: what is on disk now
            assert fresh.read("tasks")["items"][record["id"]]["title"] == f"thread {n} #{i}"
            acknowledged.append(record["id"])

    assert in_threads(6, inserter) == []

    assert sorted(acknowledged, key=int) == [str(n) for n in range(1, 61)]  # 6 threads x 10
    assert json.loads((tmp_path / "tasks.json").read_bytes())["seq"] == 60
    assert len(writes) < 60  # some writes carried several transactions


def test_a_block_that_raises_among_grouped_ones_loses_only_its_own_change(tmp_path, monkeypatch):
    store = collection_store(tmp_path, "tasks")
    slow_writes(monkeypatch)

    def writer(n):
        with store.edit("tasks") as tasks:
            insert_record(tasks, {"title": f"thread {n}"})
            if n % 2:
                tasks["items"]["1"]["title"] = "should vanish" if "1" in tasks["items"] else "x"
                raise ValueError(f"thread {n} refused")

    errors = in_threads(8, writer)

    assert sorted(str(error) for error in errors) == [f"thread {n} refused" for n in (1, 3, 5, 7)]
    stored = collection_store(tmp_path, "tasks").read("tasks")
    assert sorted(record["title"] for record in stored["items"].values()) == [
        f"thread {n}" for n in (0, 2, 4, 6)]
    assert stored["seq"] == 4


def test_a_failed_write_fails_every_transaction_it_carried_and_leaves_no_trace(tmp_path, monkeypatch):
    store = seeded_store(tmp_path)
    before = store.read("users")
    on_disk = (tmp_path / "users.json").read_bytes()
    monkeypatch.setattr(Store, "_replace", lambda self, name, payload: (_ for _ in ()).throw(OSError("disk full")))

    with pytest.raises(OSError, match="disk full"):
        with store.edit("users") as users:
            users["items"]["1"]["name"] = "lost"

    assert store.read("users") is before
    assert (tmp_path / "users.json").read_bytes() == on_disk
    monkeypatch.undo()
    with store.edit("users") as users:  # the lock was let go, and the state is the old one
        assert users["items"]["1"]["name"] == "Ana"
        users["items"]["1"]["name"] = "Ana B."
    assert collection_store(tmp_path).read("users")["items"]["1"]["name"] == "Ana B."


def test_the_journal_starts_over_once_long_and_readers_stay_right(tmp_path, monkeypatch):
    monkeypatch.setattr(journal_module, "JOURNAL_LIMIT", 300)
    writer, reader = collection_store(tmp_path), collection_store(tmp_path)
    journal = tmp_path / ".locks" / "users.journal"
    sizes = []
    for i in range(12):
        with writer.edit("users") as users:
            insert_record(users, {"name": f"person {i}"})
        sizes.append(journal.stat().st_size if journal.exists() else 0)  # the first write has none
        assert reader.read("users") == on_disk(tmp_path / "users.json")
    assert max(sizes) < 600 and sizes != sorted(sizes)  # it was cut back at least once
