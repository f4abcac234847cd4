"""A reader of Fountain (fountain.io) and plain screenplay text, for the breakdown and the page count.

It reads what a breakdown needs: the title page's title, scene headings (``INT.``, ``EXT.``,
``INT./EXT.``, ``I/E``, ``EST.``, forced ``.HEADING``, numbers ``#12#``) and their time of day, each
scene's characters from dialogue cues, its first action paragraph; and every printed element, which
``services.pagination`` lays out as pages to measure each scene in eighths of a page. It runs in
linear time on any input: comments are cut with ``str.find`` and every regex sees one short line.
"""
import re

from services import pagination
from services.pagination import Element

MAX_LINE = 300  # no heading or cue is longer: a longer line is action
MAX_SCENES = 2000
MAX_NAME = 50

HEADING = re.compile(r"(INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E|E/I)[. ](.*)", re.IGNORECASE)
NUMBER = re.compile(r"\s*#([^#\s]{1,20})#\s*$")
TITLE_KEY = re.compile(r"([A-Za-z][A-Za-z ]{0,30}):(.*)")
# The separators of a heading's parts: " - " (or an en/em dash), "--", ", ".
HEADING_PARTS = re.compile(r"\s+[-\u2013\u2014]+\s*|\s*--+\s*|\s*[\u2013\u2014]\s*|,\s+")
# A part names a time of day when it holds one of these words and only words of this vocabulary.
PERIODS = {
    "DAY": "DAY", "DAYTIME": "DAY", "AFTERNOON": "DAY", "NOON": "DAY", "MIDDAY": "DAY",
    "NIGHT": "NIGHT", "NIGHTTIME": "NIGHT", "MIDNIGHT": "NIGHT",
    "DAWN": "DAWN", "SUNRISE": "DAWN", "DAYBREAK": "DAWN",
    "DUSK": "DUSK", "SUNSET": "DUSK", "TWILIGHT": "DUSK", "MAGIC HOUR": "DUSK",
    "MORNING": "MORNING", "EVENING": "EVENING",
}
SEQUELS = {"CONTINUOUS", "CONTINUED", "CONT", "CONT'D", "CONTD", "SAME", "LATER"}  # -> CONTINUOUS
TIME_WORDS = {"THE", "NEXT", "THAT", "THIS", "SAME", "LATER", "EARLY", "LATE", "A", "FEW", "MOMENT", "MOMENTS",
              "SECONDS", "MINUTES", "HOURS", "SOON", "AFTER", "JUST", "BEFORE", "PRE", "TIME", "FOLLOWING", "OF",
              "MAGIC", "HOUR", "ONE", "TWO", "THREE", "CONTINUOUS", "CONT", "CONT'D", "CONTD", "ACTION",
              "STILL", "MID", "ALL", "SUPER", "PRESENT", "ANOTHER"}
# Lines that are transitions by their form alone (when no dialogue follows them).
KNOWN_TRANSITIONS = re.compile(r"(FADE (OUT|IN|TO BLACK|TO WHITE)|CUT TO BLACK|SMASH TO BLACK|IRIS (OUT|IN)|"
                               r"THE END|END|END CREDITS|INTERCUT|BACK TO SCENE)[.:]?")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
EMPHASIS = re.compile(r"(?<!\\)[*_]+")


class ScreenplayError(ValueError):
    """The text cannot be broken down (empty, no scene heading, a control character): a message a
    writer can act on."""


def clean(text):
    """The text as it is read and kept: without a byte-order mark, with ``\\n`` line breaks (CRLF
    and lone CR normalised). A NUL or other control character (tab and line breaks aside) is a
    ``ScreenplayError`` naming its line."""
    text = _normalise(text)
    found = CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise ScreenplayError(f"has a control character (U+{ord(found.group()):04X}) on line {line}: "
                              "remove it (a screenplay is plain text)")
    return text


def breakdown(text):
    """``{title, scenes, pages}``: the title page's title (or None), one dict of scene fields per
    heading (``page_eighths`` and ``estimated_runtime_minutes`` from the printed layout), and the
    pages the layout fills."""
    text = clean(text)
    if not text.strip():
        raise ScreenplayError("is empty: send a screenplay with scene headings (INT. / EXT. ...)")
    title, reader = _read(text)
    if not reader.found:
        raise ScreenplayError("has no scene heading: a scene starts with a line like 'INT. KITCHEN - NIGHT'")
    if len(reader.found) > MAX_SCENES:
        raise ScreenplayError(f"has more than {MAX_SCENES} scene headings")
    printed = pagination.paginate(reader.elements)
    scenes = [_finish(scene, printed.eighths(index)) for index, scene in enumerate(reader.found)]
    return {"title": title, "scenes": scenes, "pages": printed.page_count}


def pages(text):
    """The pages a text fills when printed (the title page excluded; 0 when empty). Any text is
    laid out: a stored text written before the control-character rule is not refused here."""
    return pagination.paginate(elements(text)).page_count if text.strip() else 0


def elements(text):
    """The printed elements of a text (title page, notes, boneyard, sections and synopses left out),
    read as leniently as ``pages``."""
    return _read(_normalise(text))[1].elements


def measure(text):
    """[(scene_number, heading, page_eighths)] of a stored text, read as leniently as ``pages``
    ([] when it holds no scene)."""
    reader = _read(_normalise(text))[1]
    printed = pagination.paginate(reader.elements)
    return [(index + 1, scene["title"], printed.eighths(index)) for index, scene in enumerate(reader.found[:MAX_SCENES])]


def _normalise(text):
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _read(text):
    lines = _cut(_cut(text, "/*", "*/", True), "[[", "]]", False).split("\n")
    title, start = _title_page(lines)
    reader = _Reader(lines[start:])
    reader.read()
    return title, reader


def _cut(text, opening, closing, to_end):
    """``text`` without its ``opening ... closing`` spans (boneyard, notes). An unclosed span runs
    to the end when ``to_end`` (the boneyard), else it is kept as written (a stray ``[[``)."""
    kept, position = [], 0
    while True:
        start = text.find(opening, position)
        if start < 0:
            break
        end = text.find(closing, start + len(opening))
        if end < 0:
            if not to_end:
                break
            kept.append(text[position:start])
            return "".join(kept)
        kept.append(text[position:start])
        position = end + len(closing)
    kept.append(text[position:])
    return "".join(kept)


def _title_page(lines):
    """(title or None, index of the first line after the title page). A title page is ``Key: value``
    lines at the very top, up to the first blank line."""
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    opening = lines[first].strip() if first < len(lines) else ""
    if not TITLE_KEY.fullmatch(opening) or HEADING.match(opening) or _is_transition(opening):
        return None, 0
    end = next((i for i in range(first, len(lines)) if not lines[i].strip()), len(lines))
    title, key = None, None
    for line in lines[first:end]:
        match = TITLE_KEY.fullmatch(line.strip()) if not line[:1].isspace() else None
        if match:
            key = match.group(1).strip().lower()
            value = match.group(2).strip()
        else:
            value = line.strip()  # an indented continuation of the key above
        if key == "title" and value:
            title = value.strip("*_ ") if title is None else f"{title} {value.strip('*_ ')}"
    return title, end


def _is_transition(line, following=""):
    """A transition by its form: ``TO:`` at the end (in capitals), forced with ``>`` (not centred
    ``> ... <``), or a known one (``FADE OUT.``, ``THE END``...) with no dialogue after it."""
    if line.startswith(">"):
        return not line.endswith("<")
    if line != line.upper():
        return False
    if line.endswith("TO:"):
        return True
    # a single word ("END", "IRIS") with dialogue after it is a character; a phrase never is
    return bool(KNOWN_TRANSITIONS.fullmatch(line)) and (not following or " " in line or line.endswith((".", ":")))


class _Reader:
    """One pass over the lines after the title page: the printed elements and the scenes."""

    def __init__(self, lines):
        self.lines = lines
        self.found = []
        self.elements = []
        self.block = 0
        self.speaker = None  # the element index of the current speech's cue (dual dialogue)

    def read(self):
        previous_blank, in_speech = True, False
        for index, raw in enumerate(self.lines):
            line = raw.strip()
            if not line:
                self._emit("separator", "")
                previous_blank, in_speech = True, False
                continue
            if in_speech:
                kind = "parenthetical" if line.startswith("(") and line.endswith(")") else "dialogue"
                self._emit(kind, line, new_block=False)
                continue
            if line.startswith("#") or (line.startswith("=") and not _page_break(line)):
                continue  # sections and synopses are not printed
            if _page_break(line):
                self._emit("page_break", "")
                previous_blank = True
                continue
            if self._line(line, previous_blank, index):
                in_speech = True
            previous_blank = False
        return self

    def _line(self, line, previous_blank, index):
        """Read one line outside a speech; True when it is a cue (a speech follows)."""
        short = len(line) <= MAX_LINE
        heading = _heading(line) if previous_blank and short else None
        if heading:
            heading["scene_number"] = len(self.found) + 1
            self.found.append({**heading, "_action": None, "_characters": {}, "_mode": None})
            if len(self.found) <= MAX_SCENES:
                self._emit("heading", heading["_printed"])
            return False
        following = self.lines[index + 1].strip() if index + 1 < len(self.lines) else ""
        scene = self.found[-1] if self.found else None
        if line.startswith(">") and line.endswith("<") and len(line) > 1:
            self._emit("centered", line[1:-1].strip())
        elif _is_transition(line, following):
            self._emit("transition", line.lstrip("> ").strip())
        elif previous_blank and following and short and (cue := _cue(line)):
            name, dual = cue
            if scene is not None:
                scene["_characters"].setdefault(name, None)
                scene["_mode"] = None
            self._cue_element(line, dual)
            return True
        else:
            lyric = line.startswith("~")
            text = line[1:] if line.startswith(("!", "~")) else line
            self._emit("action", text, new_block=previous_blank)
            if scene is not None and not lyric:
                self._describe(scene, text, previous_blank)
            return False
        if scene is not None:
            scene["_mode"] = None
        return False

    def _describe(self, scene, text, previous_blank):
        """The scene's first action paragraph is its description."""
        if previous_blank:
            if scene["_action"] is None:
                scene["_action"] = text[:500]
                scene["_mode"] = "action"
            else:
                scene["_mode"] = None
        elif scene["_mode"] == "action":
            scene["_action"] = f"{scene['_action']} {text}"[:500]

    def _cue_element(self, line, dual):
        printed = line[1:] if line.startswith("@") else line
        printed = printed.rstrip().removesuffix("^").rstrip()
        self._emit("character", printed)
        position = len(self.elements) - 1
        previous = self.elements[self.speaker:position] if self.speaker is not None else []
        if dual and previous and all(element.kind in (*pagination.SPEECH, "separator") for element in previous):
            for element in previous:
                if element.kind in pagination.SPEECH:
                    element.dual = "left"
            self.elements[position].dual = "right"
        self.speaker = position

    def _emit(self, kind, text, new_block=True):
        if kind == "separator":
            if self.elements and self.elements[-1].kind == "separator":
                return
        elif new_block:
            self.block += 1
        if self.elements and self.elements[-1].dual == "right" and kind in ("parenthetical", "dialogue"):
            dual = "right"
        else:
            dual = None
        scene = min(len(self.found), MAX_SCENES) - 1
        self.elements.append(Element(kind, EMPHASIS.sub("", text) if text else text, scene, self.block, dual))


def _page_break(line):
    return len(line) >= 3 and line == "=" * len(line)


def _heading(line):
    """The scene fields a heading line gives, or None when the line is not a heading."""
    forced = line.startswith(".") and line[1:2].isalnum()
    text = line[1:] if forced else line
    match = HEADING.fullmatch(text)
    if not match and not forced:
        return None
    number = NUMBER.search(text)
    if number:
        text = text[:number.start()].rstrip()
    place = HEADING.fullmatch(text).group(2).strip() if match else text
    int_ext = _int_ext(match.group(1)) if match else "INT"
    location, day_night, rest = place_and_time(place)
    fields = {"title": text[:500], "int_ext": int_ext, "day_night": day_night, "location": location[:200],
              "_printed": text.upper()}
    if number:
        fields["_written"] = number.group(1)
    if rest:
        fields["_rest"] = rest
    return fields


def _int_ext(prefix):
    prefix = prefix.upper().replace(".", "")
    return {"INT": "INT", "EXT": "EXT", "EST": "EXT"}.get(prefix, "INT/EXT")


def place_and_time(place):
    """(location, time of day, the rest) of a heading after its INT./EXT.: the time of day is the
    last part (after " - ", "--" or ", ") that names one; the parts before it are the location and
    the parts after it the rest ("EDWARD'S CAR - NIGHT - [THE STORM]" -> "EDWARD'S CAR", "NIGHT",
    "[THE STORM]"). Without one: the whole place, "DAY", ""."""
    pieces = HEADING_PARTS.split(place)
    if len(pieces) > 1:
        separators = [found.group() for found in HEADING_PARTS.finditer(place)]
        for position in range(len(pieces) - 1, 0, -1):
            time = _time_of(pieces[position])
            if time:
                location = "".join(pieces[i] + separators[i] for i in range(position - 1)) + pieces[position - 1]
                rest = "".join(separators[i] + pieces[i + 1] for i in range(position, len(pieces) - 1))
                return location.strip(), time, rest.strip(" -,\u2013\u2014")
    return place.strip(), "DAY", ""


def _time_of(part):
    """The time of day a heading part names ("LATER THAT NIGHT" -> NIGHT), or None."""
    text = re.sub(r"[(\[][^)\]]*[)\]]", " ", part.upper())
    text = text.replace("MAGIC HOUR", "MAGIC_HOUR")
    words = re.findall(r"[A-Z_'0-9]+", text)
    if not words or len(words) > 6:
        return None
    period, sequel = None, False
    for word in words:
        word = word.replace("MAGIC_HOUR", "MAGIC HOUR")
        if word in PERIODS:
            period = PERIODS[word]
        elif word in SEQUELS or word.isdigit():
            sequel = sequel or word in SEQUELS
        elif word.removeprefix("PRE-") not in TIME_WORDS:
            return None
    return period or ("CONTINUOUS" if sequel else None)


def _cue(line):
    """(the character a dialogue cue names, whether it is the right side of a dual dialogue) or None.
    A cue is a line in capitals (its extensions in any case: ``HANS (on the radio)``), or any line
    forced with ``@``; whatever word it starts with."""
    forced = line.startswith("@")
    if not forced and line.startswith(("!", "~", ">", "(", ".", "[", "=", "#")):
        return None
    name = line[1:] if forced else line
    name = name.rstrip()
    dual = name.endswith("^")
    if dual:
        name = name[:-1]
    name = re.sub(r"\([^()]*\)", "", name).strip()
    if not name or len(name) > MAX_NAME or not any(c.isalpha() for c in name) or name.endswith(":"):
        return None
    if not forced and (name != name.upper() or "(" in name or ")" in name):
        return None
    return name, dual


def _finish(scene, eighths):
    fields = {key: value for key, value in scene.items() if not key.startswith("_")}
    fields["page_eighths"] = eighths
    fields["estimated_runtime_minutes"] = eighths / 8
    fields["scene_description"] = scene["_action"] or ""
    fields["characters"] = list(scene["_characters"])[:500]
    notes = []
    if scene.get("_written") not in (None, str(scene["scene_number"])):
        notes.append(f"Scene number in the screenplay: {scene['_written']}")
    if scene.get("_rest"):
        notes.append(f"Heading after the time of day: {scene['_rest']}")
    if notes:
        fields["notes"] = "; ".join(notes)
    return fields
