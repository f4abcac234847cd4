"""List conventions shared by every collection (SPEC §2): filters, text search, sort and paging.

A domain describes its list once with a ``ListSpec``; ``query(records, args, spec)`` applies the
request's query string to already-visible records and returns a ``Page``. Unknown query
parameters are ignored; a bad value for a known one is a 400 naming it.
"""
from dataclasses import dataclass, field

from utils.errors import ValidationError

MAX_PER_PAGE = 500
MAX_PAGE = 10**9  # pages past the end are empty; past this the number is a typo or a probe
DEFAULT_PER_PAGE = 50


@dataclass(frozen=True)
class ListSpec:
    enums: dict = field(default_factory=dict)  # filter name -> allowed values, in their sort order
    exact: tuple = ()  # filters compared as exact strings (assigneeId, category...)
    exact_ci: tuple = ()  # exact filters that ignore case (a MIME type)
    text: tuple = ()  # fields searched by ``q``
    sortable: tuple = ()  # fields accepted by ``sort``
    order: tuple = ()  # the order without ``sort``, most significant first ("-date", "-createdAt"); else by id


@dataclass
class Page:
    items: list
    total: int
    meta: dict | None = None  # set only when the client asked for a page


def query(records, args, spec):
    errors = {}
    records = [r for r in records if _matches(r, args, spec, errors)]
    ordered = _sort(records, args.get("sort"), spec, errors)
    page = _paging(args, errors)
    if errors:
        raise ValidationError(errors, message="Invalid query parameters")
    if page is None:
        return Page(ordered, len(ordered))
    number, per_page = page
    start = (number - 1) * per_page
    return Page(ordered[start:start + per_page], len(ordered), {"page": number, "per_page": per_page, "total": len(ordered)})


def _matches(record, args, spec, errors):
    for name, allowed in spec.enums.items():
        wanted = args.get(name)
        if wanted is None:
            continue
        if wanted not in allowed:
            errors[name] = "must be one of: " + ", ".join(allowed)
        elif record.get(name) != wanted:
            return False
    for name in spec.exact:
        wanted = args.get(name)
        if wanted is not None and (record.get(name) or "") != wanted:
            return False
    for name in spec.exact_ci:
        wanted = args.get(name)
        if wanted is not None and (record.get(name) or "").lower() != wanted.lower():
            return False
    text = (args.get("q") or "").strip().lower()
    if text and not any(text in _text_of(record.get(name)).lower() for name in spec.text):
        return False
    return True


def _text_of(value):
    """What ``q`` searches in a field: its text; a list of strings (tags) as its items."""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value or "")


def _sort(records, sort, spec, errors):
    records = sorted(records, key=lambda r: _id_key(r.get("id")))
    if not sort:
        for key in reversed(spec.order):  # stable sorts, least significant key first
            records = _sorted_by(records, key, spec)
        return records
    if sort.removeprefix("-") not in spec.sortable:
        errors["sort"] = "must be one of: " + ", ".join(spec.sortable) + " (prefix - for descending)"
        return records
    return _sorted_by(records, sort, spec)


def _sorted_by(records, sort, spec):
    name = sort.removeprefix("-")
    order = spec.enums.get(name)

    def key(record):
        value = record.get(name)
        if order and value in order:
            return order.index(value)
        return _id_key(value) if name == "id" else value

    present = [r for r in records if r.get(name) is not None]
    missing = [r for r in records if r.get(name) is None]  # records without a value always go last
    try:
        present.sort(key=key, reverse=sort.startswith("-"))
    except TypeError:  # mixed types in legacy data: fall back to comparing text
        present.sort(key=lambda r: str(key(r)), reverse=sort.startswith("-"))
    return present + missing


def paging(args):
    """(page, per_page) for a list that is always paged (page 1 of 50 unless asked); 400 when bad."""
    errors = {}
    number, per_page = _paging({"page": "1", **args}, errors)
    if errors:
        raise ValidationError(errors, message="Invalid query parameters")
    return number, per_page


def _paging(args, errors):
    if "page" not in args and "per_page" not in args:
        return None
    number = _whole_number(args.get("page", "1"), "page", MAX_PAGE, errors)
    per_page = _whole_number(args.get("per_page", str(DEFAULT_PER_PAGE)), "per_page", MAX_PER_PAGE, errors)
    return number, per_page


def _whole_number(raw, name, maximum, errors):
    """A query value as a whole number from 1 to ``maximum``; its length is checked before ``int()``
    reads it, so thousands of digits are a 400 like any other bad value."""
    digits = raw.lstrip("0") if raw.isascii() and raw.isdigit() else ""
    if not digits:
        errors[name] = "must be a whole number of at least 1"
    elif len(digits) > len(str(maximum)) or int(digits) > maximum:
        errors[name] = f"must be at most {maximum}"
    else:
        return int(digits)
    return None


def _id_key(value):
    text = str(value)
    return (0, int(text), "") if text.isascii() and text.isdigit() else (1, 0, text)
