"""One validation helper for every domain: a schema is a dict of field name -> Field.

``validate(body, schema)`` returns the cleaned values or raises ``ValidationError`` naming every
bad field at once: missing required fields, wrong types, out-of-range values and unknown fields.
Fields the server owns are dropped silently (SPEC §2).
"""
import datetime
import math
import re
from decimal import ROUND_HALF_UP, Decimal

from utils.errors import ValidationError

MISSING = object()
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
TIMESTAMP_PATTERN = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})"
SERVER_OWNED = frozenset({"id", "createdAt", "updatedAt", "createdBy", "modifiedBy", "uploadedBy"})
# The largest number any field holds: what a JavaScript client reads back exactly (2^53 - 1).
MAX_MAGNITUDE = 2**53 - 1


class FieldError(ValueError):
    pass


class Field:
    """A field's type check; ``required`` on create, ``nullable`` accepts null, ``default`` fills it in."""

    def __init__(self, required=False, nullable=False, default=MISSING):
        self.required = required
        self.nullable = nullable
        self.default = default

    def clean(self, value):
        if value is None:
            if self.nullable:
                return None
            raise FieldError("must not be null")
        _refuse_unstorable(value)
        return self.check(value)

    def check(self, value):
        return value

    def json_schema(self):
        """The JSON Schema of the values ``check`` accepts (nullability and defaults are added by
        ``json_schema_of``). Unknown field types document nothing rather than something false."""
        return {}


class String(Field):
    def __init__(self, min_len=0, max_len=10000, pattern=None, hint=None, strip=True, **kw):
        super().__init__(**kw)
        self.min_len, self.max_len, self.strip = min_len, max_len, strip
        self.pattern = re.compile(pattern) if pattern else None
        self.hint = hint

    def check(self, value):
        if not isinstance(value, str):
            raise FieldError("must be a string")
        if self.strip:
            value = value.strip()
        if len(value) < self.min_len:
            raise FieldError("is required" if self.min_len == 1 else f"must be at least {self.min_len} characters")
        if len(value) > self.max_len:
            raise FieldError(f"must be at most {self.max_len} characters")
        if self.pattern and not self.pattern.fullmatch(value):
            raise FieldError(self.hint or "has an invalid format")
        return value

    def json_schema(self):
        schema = {"type": "string", "maxLength": self.max_len}
        if self.min_len:
            schema["minLength"] = self.min_len
        if self.pattern:
            schema["pattern"] = f"^(?:{self.pattern.pattern})$"
        elif self.strip and self.min_len:
            schema["pattern"] = r"\S"  # surrounding spaces are stripped before counting
        if self.hint:
            schema["description"] = self.hint
        return schema


class Email(String):
    def __init__(self, **kw):
        super().__init__(max_len=254, pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+", hint="must be a valid email address", **kw)

    def check(self, value):
        return super().check(value).lower()


class Url(String):
    """An http(s) URL, or the empty string."""

    def __init__(self, **kw):
        super().__init__(max_len=2000, pattern=r"(https?://\S+)?", hint="must be an http(s) URL or empty", **kw)


class Enum(Field):
    def __init__(self, choices, **kw):
        super().__init__(**kw)
        self.choices = tuple(choices)

    def check(self, value):
        if value not in self.choices or not isinstance(value, str):
            raise FieldError("must be one of: " + ", ".join(self.choices))
        return value

    def json_schema(self):
        return {"type": "string", "enum": list(self.choices)}


class Number(Field):
    """A JSON number (booleans and strings refused) within bounds, optionally an integer or cents."""

    def __init__(self, minimum=None, maximum=None, integer=False, decimals=None, exclusive_min=False, **kw):
        super().__init__(**kw)
        self.minimum, self.maximum = minimum, maximum
        self.integer, self.decimals, self.exclusive_min = integer, decimals, exclusive_min

    def check(self, value):
        kind = "an integer" if self.integer else "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FieldError(f"must be {kind}")
        if isinstance(value, float) and not math.isfinite(value):
            raise FieldError(f"must be {kind}")
        if self.integer and not float(value).is_integer():
            raise FieldError("must be an integer")
        if self.minimum is not None:
            if self.exclusive_min and value <= self.minimum:
                raise FieldError(f"must be greater than {self.minimum}")
            if value < self.minimum:
                raise FieldError(f"must be at least {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise FieldError(f"must be at most {self.maximum}")
        if self.decimals is not None and Decimal(str(value)).as_tuple().exponent < -self.decimals:
            raise FieldError(f"must have at most {self.decimals} decimal places")
        return int(value) if self.integer else value

    def json_schema(self):
        schema = {"type": "integer" if self.integer else "number"}
        if self.minimum is not None:
            schema["exclusiveMinimum" if self.exclusive_min else "minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.decimals is not None:
            schema["multipleOf"] = float(Decimal(1).scaleb(-self.decimals))
        return schema


class Boolean(Field):
    def check(self, value):
        if not isinstance(value, bool):
            raise FieldError("must be true or false")
        return value

    def json_schema(self):
        return {"type": "boolean"}


class Date(Field):
    """A ``YYYY-MM-DD`` date, or an ISO 8601 timestamp with ``Z`` or an offset (what JavaScript's
    ``toISOString()`` sends), stored as that instant's UTC date."""

    def check(self, value):
        if isinstance(value, str) and "T" in value:
            return _utc_date_of(value)
        return parse_date(value)

    def json_schema(self):
        return {"anyOf": [
            {"type": "string", "format": "date", "pattern": "^" + DATE_PATTERN + "$"},
            {"type": "string", "format": "date-time", "pattern": "^" + TIMESTAMP_PATTERN + "$",
             "description": "stored as this instant's UTC date"},
        ]}


class Reference(String):
    """The id of another record, or null; ``""`` (a form with nothing picked) also means null.
    Whether the id exists is the domain's check, which names the field."""

    def __init__(self, **kw):
        super().__init__(min_len=1, max_len=50, nullable=True, default=None, **kw)

    def clean(self, value):
        return super().clean(None if value == "" else value)

    def json_schema(self):
        # min_len 1 applies once "" has been read as null, so "" is documented on its own.
        return {"anyOf": [{**super().json_schema(), "minLength": 1}, {"type": "string", "enum": [""]}],
                "description": 'an id, or null ("" also means null)'}


class FileSize(Field):
    """Integer bytes, or a size with a unit (``"2.1 GB"``; 1 KB = 1024 B), rounded to the nearest
    byte (halves up). Stored as integer bytes."""

    UNITS = {"B": 0, "KB": 1, "MB": 2, "GB": 3, "TB": 4}
    HINT = 'must be integer bytes or a size with a unit, e.g. "2.1 GB" (B, KB, MB, GB, TB)'
    MAXIMUM = 10**15
    PATTERN = r"\s*(\d{1,15}(?:\.\d{1,6})?)\s*([KkMmGgTt]?[Bb])\s*"

    def check(self, value):
        if isinstance(value, str):
            match = re.fullmatch(self.PATTERN, value)
            if not match:
                raise FieldError(self.HINT)
            exact = Decimal(match.group(1)) * 1024 ** self.UNITS[match.group(2).upper()]
            value = int(exact.to_integral_value(rounding=ROUND_HALF_UP))
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
            raise FieldError(self.HINT)
        if value < 0:
            raise FieldError("must be at least 0 bytes")
        if value > self.MAXIMUM:
            raise FieldError(f"must be at most {self.MAXIMUM} bytes")
        return int(value)

    def json_schema(self):
        return {"anyOf": [
            {"type": "integer", "minimum": 0, "maximum": self.MAXIMUM},
            {"type": "string", "pattern": "^" + self.PATTERN + "$", "description": "a size with a unit, 1 KB = 1024 B"},
        ]}


class StringList(Field):
    def __init__(self, max_items=500, max_len=200, **kw):
        super().__init__(**kw)
        self.max_items, self.item = max_items, String(min_len=1, max_len=max_len)

    def check(self, value):
        if not isinstance(value, list) or len(value) > self.max_items:
            raise FieldError(f"must be a list of at most {self.max_items} strings")
        try:
            return [self.item.check(item) for item in value]
        except FieldError as exc:
            raise FieldError(f"every item {exc}") from None

    def json_schema(self):
        return {"type": "array", "maxItems": self.max_items, "items": self.item.json_schema()}



class ObjectList(Field):
    """A list of objects each checked against ``schema`` (a window's marketing deadlines, the
    deliverables the frontend sends inside a window). An item's ``id`` is kept as sent (a string,
    or None when absent) so the domain can tell an echoed item from a new one; ``ignored`` fields
    of an item (derived ones echoed back) are dropped like a record's. With ``partial`` only the
    sent fields of an item are checked and kept (the domain completes new items itself)."""

    def __init__(self, schema, max_items=100, ignored=SERVER_OWNED, partial=False, **kw):
        super().__init__(**kw)
        self.schema, self.max_items, self.ignored, self.partial = schema, max_items, ignored | {"id"}, partial

    def check(self, value):
        if not isinstance(value, list) or len(value) > self.max_items:
            raise FieldError(f"must be a list of at most {self.max_items} objects")
        items = []
        for number, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                raise FieldError(f"item {number} must be an object")
            item_id = item.get("id")
            try:
                cleaned = validate(item, self.schema, partial=self.partial, ignored=self.ignored)
            except ValidationError as exc:
                problems = "; ".join(f"{name} {problem}" for name, problem in exc.errors.items())
                raise FieldError(f"item {number}: {problems}") from None
            items.append({"id": str(item_id) if isinstance(item_id, (str, int)) and item_id != "" else None,
                          **cleaned})
        return items

    def json_schema(self):
        required = [name for name, f in self.schema.items() if f.required]
        item = {"type": "object", "properties": {"id": {"type": "string", "maxLength": 50},
                                                 **{name: json_schema_of(f) for name, f in self.schema.items()}}}
        if required:
            item["required"] = required
        return {"type": "array", "maxItems": self.max_items, "items": item}
def _refuse_unstorable(value):
    """What no field of any type holds, wherever it sits in the value: a number beyond
    ``MAX_MAGNITUDE`` (a 400-digit integer, or the infinity ``1e400`` parses to) and a string that
    is not Unicode text (a lone surrogate such as ``"\\ud800"``, which cannot be written as UTF-8)."""
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise FieldError("must be valid Unicode text (it holds a lone surrogate)") from None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if abs(value) > MAX_MAGNITUDE:
            raise FieldError(f"must be a number between -{MAX_MAGNITUDE} and {MAX_MAGNITUDE}")
    elif isinstance(value, list):
        for item in value:
            _refuse_unstorable(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_unstorable(key)
            _refuse_unstorable(item)


def parse_date(value):
    """Check a ``YYYY-MM-DD`` string naming a real calendar day; return it unchanged."""
    if not isinstance(value, str) or not re.fullmatch(DATE_PATTERN, value):
        raise FieldError("must be a date YYYY-MM-DD")
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise FieldError("must be a real calendar date YYYY-MM-DD") from None
    return value


def _utc_date_of(value):
    """The UTC date of an ISO 8601 timestamp that carries ``Z`` or an offset."""
    if not re.fullmatch(TIMESTAMP_PATTERN, value):
        raise FieldError("must be a date YYYY-MM-DD or a timestamp with Z or an offset, e.g. 2026-11-25T17:04:28Z")
    text = re.sub(r"\.(\d{1,6})\d*", r".\1", value)  # Python keeps microseconds, not nanoseconds
    try:
        instant = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FieldError("must be a real calendar date and time") from None
    return instant.astimezone(datetime.timezone.utc).date().isoformat()


def validate(body, schema, partial=False, ignored=SERVER_OWNED):
    """Clean ``body`` against ``schema``; with ``partial`` (an update) only the sent fields count."""
    if not isinstance(body, dict):
        raise ValidationError({"body": "must be a JSON object"})
    errors, cleaned = {}, {}
    for name, value in body.items():
        if name in ignored and name not in schema:
            continue
        field = schema.get(name)
        if field is None:
            errors[name] = "unknown field"
            continue
        try:
            cleaned[name] = field.clean(value)
        except FieldError as exc:
            errors[name] = str(exc)
    if not partial:
        for name, field in schema.items():
            if name in body:
                continue
            if field.required:
                errors[name] = "is required"
            elif field.default is not MISSING:
                cleaned[name] = field.default() if callable(field.default) else field.default
    if errors:
        raise ValidationError(errors)
    return {name: cleaned[name] for name in schema if name in cleaned}  # stored in schema order


def json_schema_of(field):
    """A field's JSON Schema as documented: its type's own schema, plus null and the default."""
    schema = dict(field.json_schema())
    if field.nullable and schema:
        schema = _or_null(schema)
    if field.default is not MISSING and not callable(field.default):
        schema["default"] = field.default
    return schema


def _or_null(schema):
    kind = schema.get("type")
    if isinstance(kind, str) and "anyOf" not in schema:
        schema["type"] = [kind, "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        return schema
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]}


class QueryDate(Field):
    """A date in a query string (``from``, ``to``, ``asOf``): ``YYYY-MM-DD`` only, no timestamp (SPEC §2)."""

    def check(self, value):
        return parse_date(value)

    def json_schema(self):
        return {"type": "string", "format": "date", "pattern": "^" + DATE_PATTERN + "$"}


def validate_query(args, schema):
    """The query parameters ``schema`` names, cleaned (others are left to the list conventions); a bad
    one is a 400 "Invalid query parameters" naming it. Documented from the same schema (OpenAPI)."""
    try:
        return validate({name: args[name] for name in schema if name in args}, schema, partial=True)
    except ValidationError as exc:
        raise ValidationError(exc.errors, message="Invalid query parameters") from None
