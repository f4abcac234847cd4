"""The screenplay (SPEC §3 Script): the stored screenplay text and the breakdown of a text into scenes.

The text is kept by hash in the revision store (``services/revisions.py``); the script document
(``services/script.py``) names the current one, so saving a new text is a new script revision.
"""
import os

from services import fountain, revisions, script
from services.scene_fields import SCHEMA, present_scene
from utils.errors import ApiError, ValidationError
from utils.requests import JSON_LIMIT
from utils.responses import count
from utils.store import get_store
from utils.validation import Field, FieldError, String, validate, validate_query

MAX_UPLOAD_MIB = 5
MAX_UPLOAD = MAX_UPLOAD_MIB * 1024 * 1024
UPLOAD_TYPES = (".fountain", ".txt")

TEXT_SCHEMA = {"content": String(max_len=JSON_LIMIT, strip=False, required=True)}
BREAKDOWN_SCHEMA = {"text": String(max_len=JSON_LIMIT, strip=False)}


class Flag(Field):
    """A yes/no query parameter: true/1 or false/0 (empty: false)."""

    VALUES = {"true": True, "1": True, "false": False, "0": False, "": False}

    def check(self, value):
        if value not in self.VALUES:
            raise FieldError("must be true or false")
        return self.VALUES[value]

    def json_schema(self):
        return {"type": "string", "enum": ["true", "false", "1", "0"]}


BREAKDOWN_QUERY = {"apply": Flag()}


def get_text():
    content = revisions.load_text(get_store().read(script.SCRIPT)["textHash"])
    return {"content": content, "pages": fountain.pages(content)}


def put_text(body, actor):
    content = _clean_text(validate(body, TEXT_SCHEMA)["content"], "content", "saved")
    with get_store().transaction(script.SCRIPT) as transaction:
        document = transaction.document(script.SCRIPT)
        before = script.stored_state(document)
        digest = revisions.save_text(content)
        if digest != document["textHash"]:
            document["textHash"] = digest
            script.commit(document, actor, f"Screenplay text updated ({_pages(content)})")
    script.after_change("update", before, document)
    return {"content": content, "pages": fountain.pages(content)}


def breakdown(body, upload, apply, actor):
    """Break down a sent text, an uploaded file ``(filename, stream)``, or (neither) the stored text.
    Returns ``(result, applied)``: the breakdown, or with ``apply`` the script after the new revision."""
    sent, where = _screenplay_sent(body, upload)
    if sent is not None:
        sent = _clean_text(sent, where)
    text = sent if sent is not None else get_text()["content"]
    try:
        parsed = fountain.breakdown(text)
    except fountain.ScreenplayError as exc:
        name = where or "text"
        raise ValidationError({name: f"{'the stored screenplay text' if sent is None else 'the screenplay'} {exc}"},
                              message=f"The screenplay cannot be broken down: it {exc}") from None
    found = [validate(fields, SCHEMA) for fields in parsed["scenes"]]
    if not _flag(apply):
        return {"title": parsed["title"], "scenes": [present_scene(s) for s in found], **script.totals(found),
                "totalPages": parsed["pages"]}, False
    with get_store().transaction(script.SCRIPT) as transaction:
        document = transaction.document(script.SCRIPT)
        before = script.stored_state(document)
        script.replace_scenes(document, found, keep_ids=False)
        if parsed["title"]:
            document["title"] = parsed["title"][:300]
        if sent is not None:
            document["textHash"] = revisions.save_text(sent)
        script.commit(document, actor, f"Breakdown applied: {count(len(found), 'scene')}"
                      + (" from a new screenplay text" if sent is not None else " from the stored screenplay text"))
    script.after_change("update", before, document)
    return script.present(document), True


def _screenplay_sent(body, upload):
    """(text or None, the field it came in)."""
    if upload is not None:
        filename, stream = upload
        if stream is None:
            raise ValidationError({"file": "is required: upload a .fountain or .txt file as the 'file' field"})
        if os.path.splitext(filename or "")[1].lower() not in UPLOAD_TYPES:
            raise ValidationError({"file": "must be a .fountain or .txt file"})
        raw = stream.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise ApiError(f"Screenplay file over {MAX_UPLOAD_MIB} MiB", status=413)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": "must be UTF-8 text"}) from None
        return text, "file"
    text = validate(body, BREAKDOWN_SCHEMA, partial=True).get("text")
    return text, ("text" if text is not None else None)


def _clean_text(text, field, action="broken down"):
    """The text without a BOM, with \\n line breaks; a control character is a 400 naming the line."""
    try:
        return fountain.clean(text)
    except fountain.ScreenplayError as exc:
        raise ValidationError({field: f"the screenplay {exc}"},
                              message=f"The screenplay cannot be {action}: it {exc}") from None


def _flag(value):
    return validate_query({} if value is None else {"apply": value}, BREAKDOWN_QUERY).get("apply", False)


def _pages(content):
    return count(fountain.pages(content), "page")
