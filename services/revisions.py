"""The script's revision history (SPEC §3 Script, version control) and its screenplay texts.

Each revision's full state is its own write-once document (``script_revision_<n>``), so saving a
revision never rewrites older ones; the index ``script_revisions`` holds only the one-line
entries the history list shows. A screenplay text is stored once per content
(``script_text_<sha256>``) and revisions name it by hash, so an unchanged text is never stored
again. Callers hold the script's lock while they append, which keeps versions in order.
"""
import hashlib

from utils.errors import NotFound
from utils.store import StoreCorruptError, get_store

INDEX = "script_revisions"
COLORS = ("White", "Blue", "Pink", "Yellow", "Green", "Goldenrod", "Buff", "Salmon", "Cherry")
ROUNDS = ("", "Double ", "Triple ", "Quadruple ", "Quintuple ", "Sextuple ", "Septuple ", "Octuple ")
ENTRY_FIELDS = ("version", "revisionColor", "lastModified", "modifiedBy", "summary")


ENTRIES = "items"  # the index document's list of entries, oldest first


def empty_index():
    return {ENTRIES: []}


def color(version):
    """The industry colour of a revision: White, Blue... Cherry, then Double White, Double Blue..."""
    round_, index = divmod(int(version) - 1, len(COLORS))
    prefix = ROUNDS[round_] if round_ < len(ROUNDS) else f"{round_ + 1}x "
    return prefix + COLORS[index]


def is_empty():
    return not get_store().read(INDEX)[ENTRIES]


def history():
    """The index entries, newest first."""
    return list(reversed(get_store().read(INDEX)[ENTRIES]))


def append(state, summary):
    """Store ``state`` (the script's stored fields, with its new version) as a revision."""
    store = get_store()
    revision_name = _document(_revision_name(state["version"]))
    with store.transaction(revision_name) as transaction:
        transaction.replace(revision_name, {**state, "summary": summary})
    revision = store.read(revision_name)
    with store.transaction(INDEX) as transaction:
        index = transaction.document(INDEX)
        # An entry at or past this version can only be left by a write that crashed before the
        # script itself was saved: this revision replaces it.
        index[ENTRIES] = [entry for entry in index[ENTRIES] if int(entry["version"]) < int(state["version"])]
        index[ENTRIES].append({name: revision.get(name) for name in ENTRY_FIELDS})


def load(version):
    """The full stored state of a revision in the history; 404 for any other version."""
    if not any(entry["version"] == version for entry in get_store().read(INDEX)[ENTRIES]):
        raise NotFound(f"Script version {version} not found")
    return get_store().read(_document(_revision_name(version)))


def save_text(content):
    """Keep ``content`` once; return the hash revisions name it by ("" for the empty text)."""
    if not content:
        return ""
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    store = get_store()
    name = _document(_text_name(digest))
    if not store.exists(name):
        with store.transaction(name) as transaction:
            document = transaction.document(name)
            document.clear()
            document["content"] = content
    return digest


def load_text(digest):
    if not digest:
        return ""
    name = _document(_text_name(digest))
    content = get_store().read(name).get("content")
    if not isinstance(content, str):
        raise StoreCorruptError(get_store().filename(name), "missing, or without its content")
    return content


def problems():
    """Readable problems of the history: index entries whose revision or text file is unsound."""
    store = get_store()
    found = []
    for entry in store.read(INDEX)[ENTRIES]:
        version = entry.get("version")
        try:
            name = _document(_revision_name(version))
            if not store.exists(name):
                found.append(f"{store.filename(INDEX)}: version {version} has no file {store.filename(name)}")
                continue
            load_text(store.read(name).get("textHash"))
        except (TypeError, ValueError):
            found.append(f"{store.filename(INDEX)}: entry with an invalid version {version!r}")
        except StoreCorruptError as exc:
            found.append(str(exc))
    return found


def _document(name):
    # Revision and text documents are many and named by content: each is declared when first used.
    get_store().register(name, dict)
    return name


def _revision_name(version):
    return f"script_revision_{int(version)}"


def _text_name(digest):
    return f"script_text_{digest}"
